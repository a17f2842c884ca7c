-- Ends the reserving call's own reservation that did not become a bridge; the chain is due at once.
-- KEYS: the six  ARGV: callSid, agentCallSid, now.  Returns 1 if released.
local current = redis.call('HGET', KEYS[4], ARGV[1])
if not current or not string.find(current, '|' .. ARGV[2], 1, true) then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1]) end
return 1
