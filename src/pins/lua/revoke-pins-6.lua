-- Revokes the live PIN of each owner given (and any lease it has, which would make it live again).
-- KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until
-- ARGV: deadline, owner 1, owner 2, ...
-- Reply: {'ok', revokedCount} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/forget-pin"
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "includes/settle-lease"
local revoked = 0
for i = 2, #ARGV do
  settleLease(ARGV[i], KEYS[4])
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if current then
    forget(string.match(current, '^([^|]*)|'))
    revoked = revoked + 1
  end
end
return {'ok', revoked}
