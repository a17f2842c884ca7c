-- Leases due events to one sender: handing an entry out pushes its due time out by the lease in the
-- same step, so no other instance gets it until the lease ends; its attempt count is the lease token.
-- Entries trimmed from the stream are forgotten. No deadline guard: a late claim only delays by a lease.
-- KEYS: outbox, due, tries   ARGV: lease ms, max entries
-- Returns {{entry id, attempt, event JSON}...}.
--- @include "includes/redis-clock"
local claimed = {}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', clockMs, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local found = redis.call('XRANGE', KEYS[1], entry, entry)[1]
  if found == nil then
    redis.call('ZREM', KEYS[2], entry)
    redis.call('HDEL', KEYS[3], entry)
  else
    redis.call('ZADD', KEYS[2], clockMs + tonumber(ARGV[1]), entry)
    -- Every entry's fields are id, type, event, in that order (append-event, redeliver-dead-letter).
    table.insert(claimed, {entry, redis.call('HINCRBY', KEYS[3], entry, 1), found[2][6]})
  end
end
return claimed
