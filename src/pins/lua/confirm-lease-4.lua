-- A wait-URL fetch found the caller's PIN leased: the caller heard "connecting you", so the PIN's
-- use is final. Once per call: the lease mark goes with it.
-- KEYS: the call's state, consumed, consumed-until, live-by-code   ARGV: callSid
-- Reply: 1 when a lease was confirmed, else 0
local CONSUMED, CONSUMED_UNTIL = KEYS[2], KEYS[3]
--- @include "includes/settle-lease"
local leased = redis.call('HGET', KEYS[1], 'leased')
if not leased then return 0 end
-- Only the lease this call holds.
local lease = redis.call('HGET', CONSUMED, leased)
if lease and string.match(lease, '^[^|]*|%d+|%d*|(.*)$') == ARGV[1] then settleLease(leased, KEYS[4]) end
redis.call('HDEL', KEYS[1], 'leased')
return 1
