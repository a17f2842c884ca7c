-- Imports one account and its users as an earlier version stored them (src/cli/directory-migrate.ts).
-- An account not in the directory yet is written whole. One already here (written through the API
-- since, or imported by an earlier run) keeps what it has: only users it lacks are added, and its
-- revision counter is raised to the old one's, so revisions never go back. Run again, it adds nothing.
-- KEYS: accounts, users, user-index   ARGV: accountId, account JSON, then userId, stored user, ...
-- Returns {1 when the account was written (0: it was here), users added}
local ACCOUNTS, USERS, USER_INDEX = KEYS[1], KEYS[2], KEYS[3]
--- @include "includes/directory"
local accountId, old = ARGV[1], cjson.decode(ARGV[2])
local written = 0
if redis.call('HEXISTS', ACCOUNTS, accountId) == 0 then
  writeAccount(accountId, old)
  written = 1
else
  local account = readAccount(accountId)
  if old.seq > account.seq then
    account.seq = old.seq
    writeAccount(accountId, account)
  end
end
local added = 0
for i = 3, #ARGV - 1, 2 do
  local field = userField(accountId, ARGV[i])
  if redis.call('HSETNX', USERS, field, ARGV[i + 1]) == 1 then
    redis.call('ZADD', USER_INDEX, 0, field)
    added = added + 1
  end
end
return {written, added}
