-- Marks a sysadmin busy only if free, *before* a page is placed: no phone is rung twice at once.
-- KEYS: busy  ARGV: sysadminId, now, entry  Reply: 1 if marked, else 0
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(string.match(current, '^(%d+)')) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
