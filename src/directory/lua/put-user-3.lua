-- Creates or updates a user and applies the contact rules in the same step:
-- the roles wanted are those given, or (none given) those held; a held role
-- missing from them is refused (roles move, they are not removed); a wanted
-- role whose permissions the body lacks is refused (the caller knows which
-- permissions each role needs and passes whether the body has them). A role
-- taken from another user bumps that user's revision too: their roles changed.
-- KEYS: account, users, user-index
-- ARGV: deadline, userId, userJson, rolesGiven ('1'|'0'), roles (comma list),
--       adminAllowed ('1'|'0'), billingAllowed ('1'|'0'), ifMatch
-- Returns {'ok', created, rev, role...} | {'account_not_found'} | {'precondition_failed'}
--       | {'role_removed', role...} | {'requires', role...} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/account"
if not accountExists() then return {'account_not_found'} end
local userId, json = ARGV[2], ARGV[3]
local stored = redis.call('HGET', KEYS[2], userId)
local rev, data = nil, nil
if stored then rev, data = string.match(stored, '^(%d+):(.*)$') end
rev = tonumber(rev)
if not ifMatch(ARGV[8], stored ~= false, rev) then return {'precondition_failed'} end
local holders = redis.call('HMGET', KEYS[1], ROLES[1], ROLES[2])
local allowed = {ARGV[6] == '1', ARGV[7] == '1'}
local given = {}
for role in string.gmatch(ARGV[5], '[^,]+') do given[role] = true end
local wanted, dropped, lacking, moving = {}, {'role_removed'}, {'requires'}, {}
for i, role in ipairs(ROLES) do
  local held = holders[i] == userId
  wanted[i] = (ARGV[4] == '1' and given[role] == true) or (ARGV[4] ~= '1' and held)
  if held and not wanted[i] then table.insert(dropped, role) end
  if wanted[i] and not allowed[i] then table.insert(lacking, role) end
  if wanted[i] and not held then table.insert(moving, i) end
end
if #dropped > 1 then return dropped end
if #lacking > 1 then return lacking end
if stored and data == json and #moving == 0 then
  local reply = {'ok', 0, rev}
  for i, role in ipairs(ROLES) do if wanted[i] then table.insert(reply, role) end end
  return reply
end
local revision = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[2], userId, revision .. ':' .. json)
redis.call('ZADD', KEYS[3], 0, userId)
for _, i in ipairs(moving) do
  local previous = holders[i] and redis.call('HGET', KEYS[2], holders[i])
  if previous then redis.call('HSET', KEYS[2], holders[i], revision .. ':' .. string.match(previous, '^%d+:(.*)$')) end
  redis.call('HSET', KEYS[1], ROLES[i], userId, 'rev', revision)
end
local reply = {'ok', stored and 0 or 1, revision}
for i, role in ipairs(ROLES) do if wanted[i] then table.insert(reply, role) end end
return reply
