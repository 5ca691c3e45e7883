-- GET /employees/{random id of the seeded 1,000}, signed in.
local cookie = os.getenv("HRAPP_COOKIE")
request = function()
  return wrk.format("GET", "/employees/" .. math.random(1, 1000), { ["Cookie"] = cookie })
end
