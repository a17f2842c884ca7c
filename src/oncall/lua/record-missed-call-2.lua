-- Records a missed call once (a retry keeps the first), and forgets calls older than the window.
-- KEYS: order, calls  ARGV: callSid, at, json, forgetBefore  Reply: the record as stored (the first one)
for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])) do redis.call('HDEL', KEYS[2], old) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 1 then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return redis.call('HGET', KEYS[2], ARGV[1])
