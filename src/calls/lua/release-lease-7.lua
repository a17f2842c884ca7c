-- The call ended before a wait-URL fetch confirmed its PIN's lease: the caller never heard
-- "connecting you", so the PIN is live again (releaseLease). A confirmed lease, or none, changes nothing.
-- KEYS: the six PIN keys (PIN_KEYS), call  ARGV: callSid, now
-- Reply: 1 if a lease was released, else 0
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "../../pins/lua/includes/consume-pin"
local owner = redis.call('HGET', KEYS[7], 'leased')
if not owner then return 0 end
redis.call('HDEL', KEYS[7], 'leased')
releaseLease(owner, ARGV[1], ARGV[2])
return 1
