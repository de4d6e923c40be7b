-- bench/lookup.lua — wrk script for scanner lookups (GET /api/v1/assets/{tag}).
--
--   wrk -t2 -c64 -d10s -s bench/lookup.lua http://127.0.0.1:PORT -- TAGFILE TOKEN
--
-- TAGFILE holds one scan per line, already mixed the way scanners send
-- them (bench/run.sh writes it): exact tags "AT-004711", dash-stripped
-- "AT004711" and lower-case "at-004711" (the last two resolve through the
-- match key).  Every request is pre-formatted in init() so the load
-- generator spends its CPU on sockets, not on Lua string building; each
-- wrk thread starts at a different offset and cycles through the file.
-- The same script drives the nginx floor, which ignores path and token.

local reqs = {}
local n, i = 0, 0

function init(args)
  local file, token = args[1], args[2]
  local headers = { ["Authorization"] = "Bearer " .. (token or "none"),
                    ["Accept"] = "application/json" }
  for line in io.lines(file) do
    if #line > 0 then
      n = n + 1
      reqs[n] = wrk.format("GET", "/api/v1/assets/" .. line, headers)
    end
  end
  if n == 0 then error("no tags in " .. file) end
  -- Spread the threads over the file: id is unique per thread.
  i = (id or 0) % n
end

local counter = 0
function setup(thread)
  thread:set("id", counter * 7919)
  counter = counter + 1
end

function request()
  i = i % n + 1
  return reqs[i]
end
