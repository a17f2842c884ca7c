-- ARGV[1] is the script's deadline (src/redis/deadline.ts). If Redis was hung and gets round to
-- the script after the request gave up, it does nothing: the caller was already told the line is down.
--- @include "includes/redis-clock"
if clockMs > tonumber(ARGV[1]) then
  return {'late'}
end
