-- Takes a due chain for one pager: only if it is due, by moving its due time to the end of
-- a lease, so two instances ticking at once never page for the same caller twice.
-- KEYS: due  ARGV: callSid, now, leaseUntil.  Returns 1 if taken.
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
