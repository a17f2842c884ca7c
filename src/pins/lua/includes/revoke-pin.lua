-- revokePin(owner): the owner's live PIN forgotten, and any lease of one settled (a lease would
-- make it live again). Returns 1 when a live PIN was revoked. Over the six PIN keys, KEYS[1..6]
-- (src/redis/keys.ts PIN_KEYS); needs CONSUMED, CONSUMED_UNTIL.
--- @include "includes/forget-pin"
--- @include "includes/settle-lease"
local function revokePin(owner)
  settleLease(owner, KEYS[4])
  local current = redis.call('HGET', KEYS[2], owner)
  if not current then return 0 end
  forget(string.match(current, '^([^|]*)|'))
  return 1
end
