-- forgetConsumed(owner): forgets an owner's PIN lease; the includer sets CONSUMED, CONSUMED_UNTIL.
local function forgetConsumed(owner)
  redis.call('HDEL', CONSUMED, owner)
  redis.call('ZREM', CONSUMED_UNTIL, owner)
end
