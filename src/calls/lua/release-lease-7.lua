-- The caller's call ended (its status callback) before a wait-URL fetch confirmed their PIN's
-- lease: they never heard "connecting you" (the apology instead, or they hung up), so the PIN is
-- live again (includes/consume-pin releaseLease). A confirmed lease, or none, changes nothing.
-- KEYS: the six PIN keys (PIN_KEYS), call  ARGV: callSid, now
-- Reply: 1 if a lease was released, else 0
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "../../pins/lua/includes/consume-pin"
local owner = redis.call('HGET', KEYS[7], 'leased')
if not owner then return 0 end
redis.call('HDEL', KEYS[7], 'leased')
releaseLease(owner, ARGV[1], ARGV[2])
return 1
