local M = {}
function M.a() return {1, {x = 2}, "s", 1.5, true} end
function M.b() local t = {} t[1] = t return t end
function M.c() while true do end end
function M.d() error("\255") end
return M
