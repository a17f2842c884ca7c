-- Puts a dead letter back in the outbox as a new entry, due now, with a fresh retry window; the event
-- and its id are unchanged, so a receiver that did get it drops the repeat. Atomic: the letter is
-- either still dead or back in the outbox, never both, never neither.
-- KEYS: outbox, due, dead, deadOrder   ARGV: event id
-- Returns the new entry id, or false when there is no such dead letter.
--- @include "includes/redis-clock"
local record = redis.call('HGET', KEYS[3], ARGV[1])
if not record then return false end
local letter = cjson.decode(record)
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'type', letter.type, 'event', letter.event)
redis.call('ZADD', KEYS[2], clockMs, entry)
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return entry
