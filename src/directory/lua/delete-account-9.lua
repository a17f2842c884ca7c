-- Deletes an account and its users, and revokes their PINs; its revision counter stays.
-- KEYS: the six PIN keys, accounts, users, user-index   ARGV: deadline, accountId
-- Returns {'ok'} | {'account_not_found'} | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL, ACCOUNTS, USERS, USER_INDEX = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
--- @include "includes/directory"
--- @include "../../pins/lua/includes/revoke-pin"
local accountId = ARGV[2]
local account = readAccount(accountId)
if not accountExists(account) then return {'account_not_found'} end
for _, userId in ipairs(userIdsOf(accountId, '')) do
  local field = userField(accountId, userId)
  revokePin(field)
  redis.call('HDEL', USERS, field)
  redis.call('ZREM', USER_INDEX, field)
end
writeAccount(accountId, {seq = account.seq + 1})
return {'ok'}
