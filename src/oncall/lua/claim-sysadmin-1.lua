-- Marks a sysadmin busy only if free (or, asked, only resting), *before* a page or a call back is
-- placed, in one step: no phone is rung twice at once.
-- KEYS: busy  ARGV: sysadminId, now, entry, '1' to take over a rest  Reply: 1 if marked, else 0
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local untilMs, kind = string.match(current, '^(%d+)|([^|]*)')
  if tonumber(untilMs) > tonumber(ARGV[2]) and not (kind == 'resting' and ARGV[4] == '1') then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
