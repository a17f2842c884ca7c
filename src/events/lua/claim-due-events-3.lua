-- Leases due events to one sender. Guarantee: an entry is handed out only when
-- due, and handing it out pushes its due time out by the lease, in one step, so
-- no other instance gets it until the lease ends; its attempt count is the
-- lease token. Entries trimmed from the stream are forgotten. No deadline guard:
-- a claim that runs late only delays its events by one lease.
-- KEYS: outbox, due, tries   ARGV: lease ms, max entries
-- Returns {now, {entry id, attempt, event JSON}...}.
--- @include "includes/redis-clock"
local now = clockMs
local claimed = {now}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local found = redis.call('XRANGE', KEYS[1], entry, entry)[1]
  if found == nil then
    redis.call('ZREM', KEYS[2], entry)
    redis.call('HDEL', KEYS[3], entry)
  else
    local attempt = redis.call('HINCRBY', KEYS[3], entry, 1)
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), entry)
    local fields = found[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'event' then table.insert(claimed, {entry, attempt, fields[i + 1]}) end
    end
  end
end
return claimed
