-- LM_daylight.lua -- a module that calls other modules: it keeps a light at
-- what daylight lacks, reading LM_lux (Lua) and driving LM_dimmer (C)
-- through the dispatcher, exactly as a user would type the calls. `follow`
-- repeats it as a task until `stop`.
local M = {}
M.help = { "BUTTON adjust", "BUTTON follow period_ms=<1000-60000>", "BUTTON stop", "STATUS status" }

local last = { light = nil, dimmer = nil }
local stop = false

function M.adjust()
  local light = nodus.call("lux intensity")["light intensity [%]"]
  local target = math.floor((100 - light) * 10 + 0.5)      -- 0..1000
  nodus.call("dimmer set_value " .. target .. " smooth=False")
  last = { light = light, dimmer = target }
  return last
end

local function loop(period)
  while not stop do
    local ok, err = pcall(M.adjust)
    if not ok then nodus.log.warn("adjust failed: " .. tostring(err)) end
    nodus.sleep(period)
  end
  return "stopped"
end

function M.follow(period_ms)
  stop = false
  return { ["daylight.follow"] = nodus.task(loop, "follow", period_ms or 5000) }
end

function M.stop()
  stop = true
  return { running = nodus.running("follow") }
end

function M.status() return last end

return M
