-- Saves a chain and when it is next due, only while the caller waits and only if the page
-- in flight is still the one the writer saw (compare-and-set on its CallSid, '' for none).
-- KEYS: the six  ARGV: callSid, expectedPageSid, chain JSON, dueAt.  Returns 1 if saved.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local current = redis.call('HGET', KEYS[3], ARGV[1])
local seen = ''
if current then
  local page = cjson.decode(current).page
  if type(page) == 'table' then seen = page.pageCallSid end
end
if seen ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
return 1
