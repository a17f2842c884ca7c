-- Every script that changes state starts with this guard, ARGV[1] being its deadline
-- (scriptDeadline, src/redis/deadline.ts): if Redis was hung and only gets round to the
-- script after the request gave up on it, the script does nothing, for the caller has
-- already been told the line is down. Redis' own clock decides.
--- @include "includes/redis-clock"
if clockMs > tonumber(ARGV[1]) then
  return {'late'}
end
