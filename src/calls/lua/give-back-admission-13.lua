-- Undoes an admission whose answer came too late, or never came (the caller heard the apology
-- instead): the caller is no longer held and the step says apology, and the PIN is live again
-- if this call used it, it has not expired and its owner has no newer PIN. Who was admitted, and
-- by which request, is read from the call's state, so a PIN step whose reply was lost can be
-- undone without knowing whether it admitted anyone; an admission another request made (the
-- same webhook sent twice, its first copy answered "connecting you") is left alone. No deadline:
-- safe whenever it runs, a no-op when this request admitted nobody.
-- KEYS: as admit-caller-13.lua  ARGV: now, callSid, stepField, apology JSON, token
-- Reply: {'restored' | 'gone'}
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "../../pins/lua/includes/consume-pin"
--- @include "../../oncall/lua/includes/waiting-entry"
if redis.call('HGET', KEYS[7], 'admittedBy') ~= ARGV[5] then return {'gone'} end
local step = redis.call('HGET', KEYS[7], ARGV[3])
if step and string.find(step, '"kind":"enqueue"', 1, true) then
  forgetCaller({KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]}, ARGV[2])
  redis.call('HSET', KEYS[7], ARGV[3], ARGV[4])
end
local who = redis.call('HMGET', KEYS[7], 'accountId', 'userId')
if not who[1] or not who[2] then return {'gone'} end
local owner = who[1] .. '/' .. who[2]
local consumed = redis.call('HGET', CONSUMED, owner)
if not consumed then return {'gone'} end
return {restore(ARGV[1], string.match(consumed, '^([^|]*)|'), owner, ARGV[2])}
