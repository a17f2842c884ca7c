-- Imports one account and its users as an earlier version stored them (src/cli/directory-migrate.ts),
-- unless the account is already in the directory: an import run twice, or after the account was
-- changed here, changes nothing.
-- KEYS: accounts, users, user-index   ARGV: accountId, account JSON, then userId, stored user, ...
-- Returns 1 when imported, 0 when the account was already there.
local ACCOUNTS, USERS, USER_INDEX = KEYS[1], KEYS[2], KEYS[3]
--- @include "includes/directory"
local accountId = ARGV[1]
if redis.call('HEXISTS', ACCOUNTS, accountId) == 1 then return 0 end
redis.call('HSET', ACCOUNTS, accountId, ARGV[2])
for i = 3, #ARGV - 1, 2 do
  local field = userField(accountId, ARGV[i])
  redis.call('HSET', USERS, field, ARGV[i + 1])
  redis.call('ZADD', USER_INDEX, 0, field)
end
return 1
