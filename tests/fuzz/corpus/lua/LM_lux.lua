-- LM_lux.lua -- a sensor: micrOS's LM_light_sensor (TEMT6000 on an ADC pin)
-- ported to Lua. Same functions, same result keys and values as the C port
-- (modules/light_sensor.c), so micrOS's Gateway and dashboards read it as is.
--   lux intensity      ->  light intensity [%]: 50.0
--   lux illuminance    ->  illuminance [lux]: 240.00   (a string, as micrOS)
local M = {}
M.help = { "TEXTBOX intensity", "TEXTBOX illuminance", "pinmap" }

local SAMPLES = 20    -- readings averaged per answer (noise), as micrOS
local FULL_MV = 2450  -- SmartADC: 11 dB attenuation, 2.45 V full scale
local pin             -- booked on first use, as micrOS's bind_pin

-- Python's round(x, n) as micrOS computes it (via a decimal string)
local function pyround(x, n)
  return tonumber(string.format("%." .. n .. "f", x))
end

-- one SmartADC.get(): the mean of two 12-bit reads widened to 16 bits
local function read()
  pin = pin or nodus.pin("temp6000")
  local s = 0
  for _ = 1, 2 do
    local r = nodus.adc.read(pin)
    s = s + ((r << 4) | (r >> 8))
  end
  local raw = s // 2
  return pyround(raw / 65535 * 100, 1), pyround(raw / 65535 * FULL_MV / 1000, 2)
end

function M.intensity()
  local sum = 0
  for _ = 1, SAMPLES do sum = sum + (read()) end
  return { ["light intensity [%]"] = pyround(sum / SAMPLES, 1) }
end

function M.illuminance()
  local sum = 0
  for _ = 1, SAMPLES do sum = sum + select(2, read()) end
  local volts = pyround(sum / SAMPLES, 1)
  local microamps = volts / 10000 * 1000000  -- across the 10 kOhm divider
  return { ["illuminance [lux]"] = string.format("%.2f", microamps * 2.0) }
end

function M.pinmap() return { temp6000 = pin or nodus.pin("temp6000") } end

return M
