-- Reserves a waiting caller for the sysadmin who pressed 1 after hearing about them: only
-- if the caller still waits and nobody else holds a live reservation, so two sysadmins
-- never take one caller; the same sysadmin's call pressing again (a retried webhook) gets
-- its reservation back. The chain falls due when the reservation runs out: an unbridged
-- reservation goes back to paging by itself.
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
