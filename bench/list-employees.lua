-- GET /employees (a page of 50 at a random offset), signed in. The requests are formatted once,
-- up front, so that wrk spends its share of the cores sending them, not building them.
local cookie = os.getenv("HRAPP_COOKIE")
local requests = {}
for offset = 0, 950 do
  requests[offset] = wrk.format("GET", "/employees?limit=50&offset=" .. offset, { ["Cookie"] = cookie })
end
request = function()
  return requests[math.random(0, 950)]
end
