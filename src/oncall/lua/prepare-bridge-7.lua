-- The <Queue> url: the caller leaves the line for a record of their own, kept until Twilio reports
-- the bridge. A repeated fetch changes nothing.
-- KEYS: the six, bridging  ARGV: callSid, sysadminId, agentCallSid, from, now, ttlMs  Reply: 1 if waiting
--- @include "includes/waiting-entry"
local caller = redis.call('HGET', KEYS[2], ARGV[1])
if not caller then return 0 end
redis.call('HSET', KEYS[7], 'caller', caller, 'sysadminId', ARGV[2], 'agentCallSid', ARGV[3], 'from', ARGV[4], 'at', ARGV[5])
redis.call('PEXPIRE', KEYS[7], ARGV[6])
forgetCaller(KEYS, ARGV[1])
return 1
