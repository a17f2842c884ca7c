-- Checks and counts one on-call PIN attempt at once: concurrent calls cannot guess past the limit.
-- KEYS: pins, failure times  ARGV: deadline, sysadminId, hash, limit, windowMs, now, member
-- Reply: {result, failures in the window, oldest failure's time or 0} with result 'ok',
-- 'wrong', 'locked' (the window is full: nothing is compared) or 'unset'; or {'late'}
--- @include "includes/deadline-guard"
local now = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[5]))
local failures = redis.call('ZCARD', KEYS[2])
local function oldest()
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return first[2] or '0'
end
if failures >= tonumber(ARGV[4]) then return {'locked', failures, oldest()} end
local stored = redis.call('HGET', KEYS[1], ARGV[2])
if not stored then return {'unset', failures, oldest()} end
if stored == ARGV[3] then return {'ok', failures, oldest()} end
redis.call('ZADD', KEYS[2], now, ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {'wrong', failures + 1, oldest()}
