-- The <Queue> url: the caller leaves the line for a record of their own, kept until Twilio reports
-- the bridge. A repeated fetch changes nothing.
-- KEYS: the six, bridging  ARGV: callSid, sysadminId, from, now, ttlMs  Reply: 1 if waiting
--- @include "includes/waiting-entry"
local caller = redis.call('HGET', KEYS[2], ARGV[1])
if not caller then return 0 end
redis.call('HSET', KEYS[7], 'caller', caller, 'sysadminId', ARGV[2], 'from', ARGV[3], 'at', ARGV[4])
redis.call('PEXPIRE', KEYS[7], ARGV[5])
forgetCaller(KEYS, ARGV[1])
return 1
