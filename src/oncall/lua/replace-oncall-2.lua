-- Replaces the escalation list if If-Match allows it, and moves its revision, in one step.
-- KEYS: list, revision  ARGV: list JSON, If-Match condition (ifMatchArg)
-- Reply: the new revision, or 0 when If-Match does not match
--- @include "includes/if-match"
local rev = tonumber(redis.call('GET', KEYS[2]) or '0')
if not ifMatch(ARGV[2], true, rev) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('INCR', KEYS[2])
