-- Using a PIN up, on a lease: the call path's scripts (src/calls/lua/) use a PIN up with the very
-- code tested here. Needs CONSUMED, CONSUMED_UNTIL (includes/forget-consumed).
-- consume: of any number of racing calls exactly one gets true; only the PIN of the expected
-- owner, only while it is live. With leaseMs > 0 the use is a lease: the PIN stays out of the
-- index, and its record (CONSUMED, by owner) says which call holds it until when. Twilio's first
-- fetch of that caller's wait URL proves they heard "connecting you" and confirms the use
-- (confirmLease, src/oncall/lua/wait-fetch-7.lua); a lease nobody confirmed lapses (lapseDue): the
-- PIN is live again, unless it expired or its owner has a newer one. leaseMs 0 uses it for good.
--- @include "includes/forget-pin"
--- @include "includes/forget-consumed"
local function consume(now, hash, owner, callSid, leaseMs)
  local record = redis.call('HGET', KEYS[1], hash)
  if not record then return false end
  local recordOwner, expiresAt, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
  if recordOwner ~= owner or tonumber(expiresAt) <= tonumber(now) then return false end
  forget(hash)
  if tonumber(leaseMs) > 0 then
    local leaseUntil = tostring(tonumber(now) + tonumber(leaseMs))
    redis.call('HSET', CONSUMED, owner, hash .. '|' .. expiresAt .. '|' .. code .. '|' .. callSid .. '|' .. leaseUntil)
    redis.call('ZADD', CONSUMED_UNTIL, leaseUntil, owner)
  end
  return true
end
-- Leases past their time, a few at once: each PIN is live again (if it can be), and onLapse is
-- told which call held it (so that caller, who never heard "connecting you", is no longer held).
local function lapseDue(now, onLapse)
  for _, owner in ipairs(redis.call('ZRANGEBYSCORE', CONSUMED_UNTIL, '-inf', now, 'LIMIT', '0', '8')) do
    local lease = redis.call('HGET', CONSUMED, owner)
    forgetConsumed(owner)
    if lease then
      local hash, expiresAt, code, callSid = string.match(lease, '^([^|]*)|(%d+)|(%d*)|([^|]*)|')
      if tonumber(expiresAt) > tonumber(now) and redis.call('HEXISTS', KEYS[1], hash) == 0 and redis.call('HEXISTS', KEYS[2], owner) == 0 then
        redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
        redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
        redis.call('ZADD', KEYS[3], expiresAt, hash)
        if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
      end
      onLapse(callSid)
    end
  end
end
