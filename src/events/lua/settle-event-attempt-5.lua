-- Ends an attempt, only if it is still the entry's latest (a sender whose lease ran out and was
-- re-claimed changes nothing). Delivered: the entry leaves the outbox. Failed: it is due again after
-- the delay, or, past the retry window counted from its append, becomes a dead letter (capped, oldest
-- dropped). No deadline guard: a late run still records what really happened to that attempt.
-- KEYS: outbox, due, tries, dead, deadOrder
-- ARGV: entry id, attempt, result ('delivered' or why it failed), retry delay ms, retry window ms, max dead letters
-- Returns 'stale' | 'delivered' | 'retry' | 'dead'.
--- @include "includes/redis-clock"
local entry = ARGV[1]
if redis.call('HGET', KEYS[3], entry) ~= ARGV[2] then return 'stale' end
local found = redis.call('XRANGE', KEYS[1], entry, entry)[1]
local function forget()
  redis.call('XDEL', KEYS[1], entry)
  redis.call('ZREM', KEYS[2], entry)
  redis.call('HDEL', KEYS[3], entry)
end
if found == nil then forget() return 'stale' end
if ARGV[3] == 'delivered' then forget() return 'delivered' end
local appended = tonumber(string.match(entry, '^(%d+)'))
local retryAt = clockMs + tonumber(ARGV[4])
if retryAt <= appended + tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[2], retryAt, entry)
  return 'retry'
end
local id, eventType, event = found[2][2], found[2][4], found[2][6]
redis.call('HSET', KEYS[4], id, cjson.encode({event = event, type = eventType, attempts = tonumber(ARGV[2]),
  lastResult = ARGV[3], appendedAt = appended, deadAt = clockMs}))
redis.call('ZADD', KEYS[5], clockMs, id)
forget()
if redis.call('ZCARD', KEYS[5]) > tonumber(ARGV[6]) then
  local oldest = redis.call('ZRANGE', KEYS[5], 0, 0)[1]
  redis.call('ZREM', KEYS[5], oldest)
  redis.call('HDEL', KEYS[4], oldest)
end
return 'dead'
