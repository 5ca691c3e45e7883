-- POST /login (bcrypt cost 12 on every request) from several clients: wrk runs one thread per
-- connection, and each thread is a client of its own behind the trusted proxy (its own
-- X-Forwarded-For) signing in to an account of its own, bench.signin.<n>, which
-- bench/scenarios.sh registers first. One client's sign-ins would measure one client's share
-- of the sign-in pool, not the cores.
local clients = 0
function setup(thread)
  clients = clients + 1
  thread:set("client", clients)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Forwarded-For"] = "198.18.0." .. client
  wrk.body = string.format('{"username":"bench.signin.%d","password":"bench-password-1"}', client)
end
