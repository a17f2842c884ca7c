-- Deletes a user who holds no contact role.
-- KEYS: account, users, user-index   ARGV: deadline, userId
-- Returns {'ok'} | {'account_not_found'} | {'user_not_found'} | {'contact', role...} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/account"
if not accountExists() then return {'account_not_found'} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return {'user_not_found'} end
local holders = redis.call('HMGET', KEYS[1], ROLES[1], ROLES[2])
local held = {'contact'}
for i, role in ipairs(ROLES) do if holders[i] == ARGV[2] then table.insert(held, role) end end
if #held > 1 then return held end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'seq', 1)
return {'ok'}
