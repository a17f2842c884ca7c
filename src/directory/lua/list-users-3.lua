-- One page of an account's users, in id order, after `after` ('' from the start),
-- with the account's contacts read in the same step. Reads only: no deadline.
-- KEYS: accounts, users, user-index   ARGV: accountId, after, limit
-- Returns {'ok', adminContact, billingContact, userId, stored, ...} | {'account_not_found'}
local ACCOUNTS, USERS, USER_INDEX = KEYS[1], KEYS[2], KEYS[3]
--- @include "includes/directory"
local accountId = ARGV[1]
local account = readAccount(accountId)
if not accountExists(account) then return {'account_not_found'} end
local reply = {'ok', account.admin_contact or '', account.billing_contact or ''}
for _, userId in ipairs(userIdsOf(accountId, ARGV[2], tonumber(ARGV[3]))) do
  table.insert(reply, userId)
  table.insert(reply, redis.call('HGET', USERS, userField(accountId, userId)) or '')
end
return reply
