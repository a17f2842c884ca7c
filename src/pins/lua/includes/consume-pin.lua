-- Using a PIN up, on a lease (the PIN step's admission, src/calls/lua/includes/admit-caller.lua).
-- Needs CONSUMED, CONSUMED_UNTIL (includes/forget-consumed).
-- consume: of any number of racing calls exactly one gets true; only the PIN of the expected
-- owner, only while it is live. The PIN leaves the index, and its lease (CONSUMED, by owner)
-- says which call holds it. Twilio decides what it becomes: the caller's first wait-URL fetch
-- proves they heard "connecting you" and confirms it (confirm-lease-4.lua, sent by the wait
-- fetch); their call ending before that (they heard the apology, or hung up) releases it
-- (releaseLease: the PIN is live again, unless it expired or its owner has a newer one).
-- A lease is kept at most until its PIN would have expired anyway (pruneLeases). A leased PIN
-- still counts among its account code's live PINs (live-by-code) until the lease is settled: it
-- may come back, and the code's guess risk and the live-PIN cap must count it (check-guess).
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
