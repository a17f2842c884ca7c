-- Redis' own clock as `clockMs` (epoch ms), for a script that needs the time.
local clock = redis.call('TIME')
local clockMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
