-- Deletes a user who holds no contact role, and revokes their PIN.
-- KEYS: the six PIN keys, accounts, users, user-index   ARGV: deadline, accountId, userId
-- Returns {'ok'} | {'account_not_found'} | {'user_not_found'} | {'contact', role...} | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL, ACCOUNTS, USERS, USER_INDEX = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
--- @include "includes/directory"
--- @include "../../pins/lua/includes/revoke-pin"
local accountId, userId = ARGV[2], ARGV[3]
local account = readAccount(accountId)
if not accountExists(account) then return {'account_not_found'} end
local field = userField(accountId, userId)
if redis.call('HEXISTS', USERS, field) == 0 then return {'user_not_found'} end
local held = {'contact'}
for _, role in ipairs(ROLES) do if account[role] == userId then table.insert(held, role) end end
if #held > 1 then return held end
redis.call('HDEL', USERS, field)
redis.call('ZREM', USER_INDEX, field)
revokePin(field)
account.seq = account.seq + 1
writeAccount(accountId, account)
return {'ok'}
