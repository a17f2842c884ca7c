-- Uses a PIN up (includes/consume-pin).
-- KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until
-- ARGV: deadline, now, hash, owner, callSid (used for good, no lease)
-- Reply: {'ok'} | {'gone'} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/forget-pin"
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "includes/consume-pin"
if consume(ARGV[2], ARGV[3], ARGV[4], ARGV[5], false) then return {'ok'} end
return {'gone'}
