-- A wait-URL fetch in one command: Twilio fetched it, so the caller heard "connecting you" and
-- the PIN their admission leased is theirs for good (confirmLease; the first fetch only); the
-- heartbeat (the caller is still there), their place in line, their plan, and whether a sysadmin
-- holds them (a live reservation, which keeps them past the maximum wait).
-- KEYS: waiting, callers, reservations, seen (the waiting line: src/oncall/waiting-callers.ts),
--       the call's state, consumed, consumed-until, live-by-code (src/pins/pin-store.ts)
-- ARGV: callSid, now
-- Reply: false (not waiting) | {rank (0-based), tier, reservation until (0 for none)}
local CONSUMED, CONSUMED_UNTIL = KEYS[6], KEYS[7]
--- @include "../../pins/lua/includes/confirm-lease"
local leased = redis.call('HGET', KEYS[5], 'leased')
if leased then
  confirmLease(leased, ARGV[1], KEYS[8])
  redis.call('HDEL', KEYS[5], 'leased')
end
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not rank then return false end
redis.call('ZADD', KEYS[4], 'XX', ARGV[2], ARGV[1])
local caller = redis.call('HGET', KEYS[2], ARGV[1])
-- The stored caller is an array whose 7th item is the tier (src/oncall/waiting-callers.ts storedCaller).
local tier = caller and cjson.decode(caller)[7] or ''
local held = redis.call('HGET', KEYS[3], ARGV[1])
local reservedUntil = held and tonumber(string.match(held, '^(%d+)|')) or 0
return {rank, tier, reservedUntil}
