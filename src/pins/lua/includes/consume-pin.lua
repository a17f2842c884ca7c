-- Using a PIN up and giving it back, so the call path's scripts (src/calls/lua/) use a PIN up
-- with the very code tested here. Needs CONSUMED, CONSUMED_UNTIL (includes/forget-consumed).
-- consume: of any number of racing calls exactly one gets true; only the PIN of the expected
-- owner, only while it is live; it remembers for keepMs which call used it, so that call can
-- undo it (and forgets a few consumptions nobody can undo any more). restore: the PIN is live
-- again if it was used by this call, has not expired, and its owner has no newer PIN.
--- @include "includes/forget-pin"
--- @include "includes/forget-consumed"
local function consume(now, hash, owner, callSid, keepMs)
  local record = redis.call('HGET', KEYS[1], hash)
  if not record then return false end
  local recordOwner, expiresAt, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
  if recordOwner ~= owner or tonumber(expiresAt) <= tonumber(now) then return false end
  forget(hash)
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', CONSUMED_UNTIL, '-inf', now, 'LIMIT', '0', '8')) do forgetConsumed(old) end
  local keepUntil = tostring(tonumber(now) + tonumber(keepMs))
  redis.call('HSET', CONSUMED, owner, hash .. '|' .. expiresAt .. '|' .. code .. '|' .. callSid .. '|' .. keepUntil)
  redis.call('ZADD', CONSUMED_UNTIL, keepUntil, owner)
  return true
end
local function restore(now, hash, owner, callSid)
  local consumed = redis.call('HGET', CONSUMED, owner)
  if not consumed then return 'gone' end
  local usedHash, expiresAt, code, usedBy, keepUntil = string.match(consumed, '^([^|]*)|(%d+)|(%d*)|([^|]*)|(%d+)$')
  if usedHash ~= hash or usedBy ~= callSid then return 'gone' end
  forgetConsumed(owner)
  if tonumber(keepUntil) <= tonumber(now) or tonumber(expiresAt) <= tonumber(now) then return 'gone' end
  if redis.call('HEXISTS', KEYS[1], hash) == 1 or redis.call('HEXISTS', KEYS[2], owner) == 1 then return 'gone' end
  redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
  redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
  redis.call('ZADD', KEYS[3], expiresAt, hash)
  if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
  return 'restored'
end
