-- The directory, in the call path's slot (`{line}`), in three keys the including script names:
--   ACCOUNTS    HASH  accountId -> JSON {seq, name, sla, rev, admin_contact, billing_contact}
--   USERS       HASH  "<accountId>/<userId>" -> "<rev>:<JSON {name, permissions}>"
--   USER_INDEX  ZSET  "<accountId>/<userId>", all scored 0 (an account's users in id order)
-- `seq` is the account's revision counter: a deleted account keeps {seq} alone, so revisions (ETags)
-- never go back. `rev` is the revision of the account's own view. Ids never hold '/', and '0' is the
-- character after '/', so "[<id>/" to "(<id>0" is exactly one account's users.
--- @include "includes/if-match"
local ROLES = {'admin_contact', 'billing_contact'}

local function readAccount(accountId)
  local stored = redis.call('HGET', ACCOUNTS, accountId)
  if not stored then return {seq = 0} end
  return cjson.decode(stored)
end
local function accountExists(account) return account.name ~= nil end
local function writeAccount(accountId, account) redis.call('HSET', ACCOUNTS, accountId, cjson.encode(account)) end
local function userField(accountId, userId) return accountId .. '/' .. userId end

-- The account's user ids in id order after `after` ('' from the start), at most `limit` (nil: all).
local function userIdsOf(accountId, after, limit)
  local from = after == '' and ('[' .. accountId .. '/') or ('(' .. accountId .. '/' .. after)
  local members
  if limit then members = redis.call('ZRANGEBYLEX', USER_INDEX, from, '(' .. accountId .. '0', 'LIMIT', 0, limit)
  else members = redis.call('ZRANGEBYLEX', USER_INDEX, from, '(' .. accountId .. '0') end
  local ids = {}
  for i, member in ipairs(members) do ids[i] = string.sub(member, #accountId + 2) end
  return ids
end
