-- wrk's own request for the URL it is given, signed in: with the session cookie in HRAPP_COOKIE,
-- or with HRAPP_COOKIES (cookies separated by spaces) each thread signed in with one of them in
-- turn, so that a run of one connection per thread is as many people, each asking one thing at
-- a time (an account's costly reads are shared: two at once).
local cookies = {}
for cookie in (os.getenv("HRAPP_COOKIES") or os.getenv("HRAPP_COOKIE") or ""):gmatch("%S+") do
  cookies[#cookies + 1] = cookie
end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("cookie", cookies[(threads - 1) % #cookies + 1])
end

function init(args)
  req = wrk.format(nil, nil, { Cookie = cookie })
end

function request()
  return req
end
