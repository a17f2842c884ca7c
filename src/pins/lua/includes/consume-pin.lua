-- A PIN used up on a lease (admit-caller.lua); needs CONSUMED, CONSUMED_UNTIL. consume: of racing
-- calls exactly one gets true, only for the expected owner of a live PIN. A leased PIN still counts
-- under its code (live-by-code) until settled: it may come back, so the guess risk and cap count it.
--- @include "includes/forget-pin"
--- @include "includes/settle-lease"
local function consume(now, hash, owner, callSid)
  local record = redis.call('HGET', KEYS[1], hash)
  if not record then return false end
  local recordOwner, expiresAt, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
  if recordOwner ~= owner or tonumber(expiresAt) <= tonumber(now) then return false end
  forget(hash)
  redis.call('HSET', CONSUMED, owner, hash .. '|' .. expiresAt .. '|' .. code .. '|' .. callSid)
  redis.call('ZADD', CONSUMED_UNTIL, expiresAt, owner)
  if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
  return true
end
-- Forgets a few leases whose PIN has expired: nothing could make them live again.
local function pruneLeases(now)
  for _, owner in ipairs(redis.call('ZRANGEBYSCORE', CONSUMED_UNTIL, '-inf', now, 'LIMIT', '0', '8')) do settleLease(owner, KEYS[4]) end
end
-- The call holding the lease ended before its caller heard "connecting you": the PIN is live again.
local function releaseLease(owner, callSid, now)
  local lease = redis.call('HGET', CONSUMED, owner)
  if not lease then return end
  local hash, expiresAt, code, holder = string.match(lease, '^([^|]*)|(%d+)|(%d*)|(.*)$')
  if holder ~= callSid then return end
  if tonumber(expiresAt) <= tonumber(now) or redis.call('HEXISTS', KEYS[1], hash) == 1 or redis.call('HEXISTS', KEYS[2], owner) == 1 then
    settleLease(owner, KEYS[4])
    return
  end
  -- Live again: it never stopped counting under its code.
  forgetConsumed(owner)
  redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
  redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
  redis.call('ZADD', KEYS[3], expiresAt, hash)
end
