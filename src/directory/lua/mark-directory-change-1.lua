-- KEYS: accounts  ARGV: accountId, change id. Adds the change's mark, timed by Redis' clock, to
-- the account's marks ("<change id>@<epoch ms>", space-separated). Returns that time.
--- @include "includes/redis-clock"
local field = ARGV[1] .. ':changes'
local marks = redis.call('HGET', KEYS[1], field)
local mark = ARGV[2] .. '@' .. string.format('%d', clockMs)
redis.call('HSET', KEYS[1], field, marks and (marks .. ' ' .. mark) or mark)
return clockMs
