-- Saves a chain and when it is next due, only while the caller waits and only if the page
-- in flight is still the one the writer saw (compare-and-set on its CallSid, '' for none).
-- A page's outcome (mode 'page') replaces the page alone: the pager may have saved the next
-- index and the failures in a row since the outcome read the chain (same page, declined).
-- KEYS: the six  ARGV: callSid, expectedPageSid, chain JSON (the page's in mode 'page'), dueAt,
-- mode ('page', or none for the whole chain).
-- Returns 1 if saved.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local current = redis.call('HGET', KEYS[3], ARGV[1])
local stored = current and cjson.decode(current) or {}
local seen = type(stored.page) == 'table' and stored.page.pageCallSid or ''
if seen ~= ARGV[2] then return 0 end
local chain = ARGV[3]
if ARGV[5] == 'page' then
  stored.page = cjson.decode(ARGV[3])
  chain = cjson.encode(stored)
end
redis.call('HSET', KEYS[3], ARGV[1], chain)
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
return 1
