-- forgetConsumed(owner): forgets an owner's PIN lease (includes/consume-pin). The including script
-- first names where its KEYS hold them: local CONSUMED, CONSUMED_UNTIL = KEYS[i], KEYS[j]
local function forgetConsumed(owner)
  redis.call('HDEL', CONSUMED, owner)
  redis.call('ZREM', CONSUMED_UNTIL, owner)
end
