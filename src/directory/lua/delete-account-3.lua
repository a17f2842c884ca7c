-- Deletes an account and its users; its revision counter stays.
-- KEYS: account, users, user-index   ARGV: deadline
-- Returns {'ok', userId...} | {'account_not_found'} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/account"
if not accountExists() then return {'account_not_found'} end
local reply = {'ok'}
for _, userId in ipairs(redis.call('HKEYS', KEYS[2])) do table.insert(reply, userId) end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HDEL', KEYS[1], 'name', 'sla', 'rev', 'admin_contact', 'billing_contact')
redis.call('HINCRBY', KEYS[1], 'seq', 1)
return reply
