-- GET /employees/{random id of the seeded 1,000}, signed in. The requests are formatted once,
-- up front, so that wrk spends its share of the cores sending them, not building them.
local cookie = os.getenv("HRAPP_COOKIE")
local requests = {}
for id = 1, 1000 do
  requests[id] = wrk.format("GET", "/employees/" .. id, { ["Cookie"] = cookie })
end
request = function()
  return requests[math.random(1, 1000)]
end
