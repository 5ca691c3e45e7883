-- POST /employees with a small photo (multipart: name, role, department, image). The photo is
-- the JPEG at BENCH_PHOTO; HRAPP_COOKIES holds one session cookie per account, separated by
-- spaces: wrk's threads take them by turns, so with as many threads as cookies each thread is
-- an account of its own. A hundred requests per thread are formatted up front, with names of
-- their own, so that wrk spends its share of the cores sending them, not building them.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("index", threads)
end

local names = { "Zoë Álvarez", "Jürgen Müller", "Siobhán O'Brien", "Łukasz Dąbrowski", "Ελένη Οικονόμου",
  "Алёна Смирнова", "山田花子", "李小龙", "Ayşe Yılmaz", "Chloé Lefèvre" }
local requests = {}
local n = 0
function init(args)
  local cookies = {}
  for cookie in string.gmatch(os.getenv("HRAPP_COOKIES"), "%S+") do cookies[#cookies + 1] = cookie end
  local cookie = cookies[(index - 1) % #cookies + 1]
  local file = assert(io.open(os.getenv("BENCH_PHOTO"), "rb"))
  local photo = file:read("*a")
  file:close()
  local boundary = "hrapp-bench-" .. index
  local function field(name, value)
    return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
  end
  for i = 1, 100 do
    local body = field("name", names[i % #names + 1] .. " " .. index .. "." .. i) .. field("role", "Engineer") ..
      field("department", "Engineering") ..
      "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.jpg\"\r\n" ..
      "Content-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n--" .. boundary .. "--\r\n"
    requests[i] = wrk.format("POST", "/employees",
      { ["Cookie"] = cookie, ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }, body)
  end
end

request = function()
  n = n % #requests + 1
  return requests[n]
end
