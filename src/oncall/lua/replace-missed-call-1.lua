-- Compare-and-set on the whole record: two sysadmins never call one customer back at once.
-- KEYS: calls  ARGV: callSid, expected json, new json  Reply: 1 if changed, else 0
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
