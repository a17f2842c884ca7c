-- One page of an account's users, in id order, after `after` ('' from the start),
-- with the account's contacts read in the same step. Reads only: no deadline.
-- KEYS: account, users, user-index   ARGV: after, limit
-- Returns {'ok', adminContact, billingContact, userId, stored, ...} | {'account_not_found'}
--- @include "includes/account"
if not accountExists() then return {'account_not_found'} end
local holders = redis.call('HMGET', KEYS[1], ROLES[1], ROLES[2])
local from = ARGV[1] == '' and '-' or ('(' .. ARGV[1])
local reply = {'ok', holders[1] or '', holders[2] or ''}
for _, userId in ipairs(redis.call('ZRANGEBYLEX', KEYS[3], from, '+', 'LIMIT', 0, tonumber(ARGV[2]))) do
  table.insert(reply, userId)
  table.insert(reply, redis.call('HGET', KEYS[2], userId) or '')
end
return reply
