-- Reserves a waiting caller for the call that pressed 1, unless another holds a live reservation (a
-- retried webhook gets its own back). The chain falls due as it runs out: unbridged, paging resumes.
-- KEYS: the six  ARGV: deadline, callSid, now, reservation, until, agentCallSid
-- Returns 'reserved', 'taken', 'gone' or {'late'}.
--- @include "includes/deadline-guard"
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 'gone' end
local current = redis.call('HGET', KEYS[4], ARGV[2])
if current then
  local untilMs, _, agentCall = string.match(current, '^(%d+)|([^|]*)|(.*)$')
  if agentCall ~= ARGV[6] and tonumber(untilMs) > tonumber(ARGV[3]) then return 'taken' end
end
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2])
return 'reserved'
