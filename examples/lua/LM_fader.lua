-- LM_fader.lua -- an actuator with a fade task: micrOS's LM_dimmer (one PWM
-- channel on `dim_1`) ported to Lua. set_value/toggle/status answer as the
-- C dimmer does; transition fades in the background as a task
-- (`fader.transition`), one 20 ms step per nodus.sleep, so the node keeps
-- serving while it runs. The state survives restarts in data/fader.cache.
local M = {}
M.help = {
  "SLIDER set_value value=<0-1000-10>",
  "BUTTON toggle",
  "transition value sec=1.0",
  "STATUS status",
  "load",
}

local FREQ = 20000
local pin
local st = { value = 0, on = false }
local loaded = false

local function out(v)
  pin = pin or nodus.pin("dim_1")
  nodus.pwm.set(pin, FREQ, (v * 1023 + 500) // 1000)  -- 0..1000 -> duty 0..1023
end

local function save() nodus.cache.save({ st.value, st.on and 1 or 0 }) end

function M.load()
  local c = nodus.cache.load()
  if #c == 2 then st.value, st.on = math.tointeger(c[1]) or 0, c[2] == 1 end
  loaded = true
  out(st.on and st.value or 0)
  return "DIMMER LOADED"
end

local function ensure() if not loaded then M.load() end end

function M.status()
  ensure()
  return { X = st.value, S = st.on and 1 or 0, BR = st.value // 10 }
end

function M.set_value(value)
  ensure()
  value = math.tointeger(value)
  if not value or value < 0 or value > 1000 then
    return "DIMMER ERROR, VALUE 0-1000 ONLY, GIVEN: " .. tostring(value)
  end
  st.value, st.on = value, value > 0
  out(value)
  save()
  return M.status()
end

function M.toggle()
  ensure()
  st.on = not st.on
  if st.on and st.value == 0 then st.value = 1000 end
  out(st.on and st.value or 0)
  save()
  return M.status()
end

-- the fade: a task of its own, so `fader transition 1000 5` answers at once
local function fade(from, to, sec)
  local steps = math.max(1, math.floor(sec * 1000 / 20))
  for i = 1, steps do
    st.value = from + (to - from) * i // steps
    out(st.value)
    nodus.sleep(20)
  end
  st.on = to > 0
  save()
  return M.status()
end

function M.transition(value, sec)
  ensure()
  value = math.tointeger(value)
  if not value or value < 0 or value > 1000 then error("value must be 0..1000") end
  return { ["fader.transition"] = nodus.task(fade, "transition", st.value, value, sec or 1.0) }
end

return M
