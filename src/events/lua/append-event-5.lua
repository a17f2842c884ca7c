-- Appends one event to the outbox, due now, once per event id (for SEEN_TTL_MS). The outbox is capped:
-- past ARGV[4] entries the oldest is dropped and counted.
-- KEYS: outbox, due, tries, seen:<id>, dropped
-- ARGV: event id, type, event JSON, max entries, seen TTL ms
-- Returns {'duplicate'} | {'appended', entry id}.
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[5]) then return {'duplicate'} end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'type', ARGV[2], 'event', ARGV[3])
redis.call('ZADD', KEYS[2], tonumber(string.match(entry, '^(%d+)')), entry)
if redis.call('XLEN', KEYS[1]) > tonumber(ARGV[4]) then
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
  redis.call('XDEL', KEYS[1], oldest)
  redis.call('ZREM', KEYS[2], oldest)
  redis.call('HDEL', KEYS[3], oldest)
  redis.call('INCR', KEYS[5])
end
return {'appended', entry}
