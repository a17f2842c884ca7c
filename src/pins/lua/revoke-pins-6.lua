-- Revokes the live PIN of each owner given (and any lease it has, which would make it live again).
-- KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until
-- ARGV: deadline, owner 1, owner 2, ...
-- Reply: {'ok', revokedCount} | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "includes/revoke-pin"
local revoked = 0
for i = 2, #ARGV do revoked = revoked + revokePin(ARGV[i]) end
return {'ok', revoked}
