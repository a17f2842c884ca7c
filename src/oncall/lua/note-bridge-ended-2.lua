-- The caller's call ended while their bridge is unreported: noted, to settle if no report comes.
-- KEYS: bridging, bridges-ended  ARGV: callSid, now  Reply: 1 when the bridge was still unreported
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
return 1
