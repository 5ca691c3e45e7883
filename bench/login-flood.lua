-- One client (203.0.113.66, as the trusted proxy says) floods sign-ins: a new username each
-- time and a wrong password, to /login and to its percent-encoded form /%6cogin by turns.
local n = 0
request = function()
  n = n + 1
  local path = (n % 2 == 0) and "/login" or "/%6cogin"
  local body = string.format('{"username":"flood.%d.%d","password":"not-the-password"}', math.random(1, 1e9), n)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = "203.0.113.66",
  }, body)
end
