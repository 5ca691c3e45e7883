-- GET /employees (a page of 50 at a random offset), signed in.
local cookie = os.getenv("HRAPP_COOKIE")
request = function()
  return wrk.format("GET", "/employees?limit=50&offset=" .. math.random(0, 950), { ["Cookie"] = cookie })
end
