-- Changes or ends a sysadmin's busy entry only if it still belongs to `callSid`: a late
-- callback of an earlier call never frees a sysadmin who is on a newer one.
-- KEYS: busy  ARGV: sysadminId, callSid, new entry ('' to free)  Reply: 1 if changed, else 0
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or string.match(current, '^%d+|[^|]*|([^|]*)') ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
