-- settleLease(owner, liveByCode): a lease ends without the PIN coming back (confirmed, or expired):
-- forgotten, and no longer counted among its code's live PINs; forgetConsumed(owner) only forgets it.
-- Needs CONSUMED, CONSUMED_UNTIL.
local function forgetConsumed(owner)
  redis.call('HDEL', CONSUMED, owner)
  redis.call('ZREM', CONSUMED_UNTIL, owner)
end
local function settleLease(owner, liveByCode)
  local lease = redis.call('HGET', CONSUMED, owner)
  forgetConsumed(owner)
  if not lease then return end
  local code = string.match(lease, '^[^|]*|%d+|(%d*)|')
  if code and code ~= '' and redis.call('HINCRBY', liveByCode, code, -1) <= 0 then redis.call('HDEL', liveByCode, code) end
end
