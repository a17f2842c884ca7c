-- Creates or updates a user under the contact rules: the roles wanted are those given, or (none given)
-- those held; a held role missing from them is refused (roles move, they are not removed), and so is a
-- wanted role the body's permissions do not allow. A role taken from another user bumps their revision
-- too. A user without Manage Support (revoke = '1') loses their live PIN in the same step.
-- KEYS: the six PIN keys, accounts, users, user-index
-- ARGV: deadline, accountId, userId, userJson, rolesGiven ('1'|'0'), roles (comma list),
--       adminAllowed ('1'|'0'), billingAllowed ('1'|'0'), ifMatch, revoke ('1'|'0')
-- Returns {'ok', created, rev, role...} | {'account_not_found'} | {'precondition_failed'}
--       | {'role_removed', role...} | {'requires', role...} | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL, ACCOUNTS, USERS, USER_INDEX = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
--- @include "includes/directory"
--- @include "../../pins/lua/includes/revoke-pin"
local accountId, userId, json = ARGV[2], ARGV[3], ARGV[4]
local account = readAccount(accountId)
if not accountExists(account) then return {'account_not_found'} end
local field = userField(accountId, userId)
local stored = redis.call('HGET', USERS, field)
local rev, data = string.match(stored or '', '^(%d+):(.*)$')
rev = tonumber(rev)
if not ifMatch(ARGV[9], stored ~= false, rev) then return {'precondition_failed'} end
local allowed = {ARGV[7] == '1', ARGV[8] == '1'}
local given = {}
for role in string.gmatch(ARGV[6], '[^,]+') do given[role] = true end
local wanted, dropped, lacking, moving = {}, {'role_removed'}, {'requires'}, {}
for i, role in ipairs(ROLES) do
  local held = account[role] == userId
  wanted[i] = (ARGV[5] == '1' and given[role] == true) or (ARGV[5] ~= '1' and held)
  if held and not wanted[i] then table.insert(dropped, role) end
  if wanted[i] and not allowed[i] then table.insert(lacking, role) end
  if wanted[i] and not held then table.insert(moving, i) end
end
if #dropped > 1 then return dropped end
if #lacking > 1 then return lacking end
if ARGV[10] == '1' then revokePin(field) end
local function reply(created, revision)
  local out = {'ok', created, revision}
  for i, role in ipairs(ROLES) do if wanted[i] then table.insert(out, role) end end
  return out
end
if stored and data == json and #moving == 0 then return reply(0, rev) end
account.seq = account.seq + 1
local revision = account.seq
redis.call('HSET', USERS, field, revision .. ':' .. json)
redis.call('ZADD', USER_INDEX, 0, field)
for _, i in ipairs(moving) do
  local holder = account[ROLES[i]]
  local previous = holder and redis.call('HGET', USERS, userField(accountId, holder))
  if previous then redis.call('HSET', USERS, userField(accountId, holder), revision .. ':' .. string.match(previous, '^%d+:(.*)$')) end
  account[ROLES[i]] = userId
  account.rev = revision
end
writeAccount(accountId, account)
return reply(stored and 0 or 1, revision)
