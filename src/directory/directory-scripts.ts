import { DEADLINE_GUARD_LUA, REDIS_CLOCK_LUA } from '../redis/deadline.js';
import { IF_MATCH_FN_LUA } from './revisions.js';

/*
 * One account and its users, all under the account's `{a:<id>}` hash tag:
 *   account     HASH  name, sla, admin_contact, billing_contact, rev, seq
 *   users       HASH  userId -> "<rev>:<JSON {name, permissions}>"
 *   user-index  ZSET  userId, all scored 0 (users in id order, for paging)
 * `seq` is the account's revision counter. Deleting the account removes every
 * other field but keeps `seq`, so revisions (and ETags) never go back, even
 * across a delete and re-create. `rev` is the revision of the account's own view.
 * Every change is one script: it decides the contact rules on the state it
 * changes, so concurrent changes serialise in Redis and never conflict.
 */

// Shared by the scripts. If-Match is decided in the script, so nothing can change between
// the check and the write; its ARGV value: '' (no condition), '*' (must exist) or a comma list of revisions.
const SHARED_LUA = `${IF_MATCH_FN_LUA}
local ROLES = {'admin_contact', 'billing_contact'}
local function accountExists() return redis.call('HEXISTS', KEYS[1], 'name') == 1 end
`;

/**
 * Creates or updates an account's name and plan. The revision moves only when
 * something changed. `listUsers` = '1' also returns the user ids (the caller
 * revokes their PINs when the plan has no phone support).
 * KEYS: account, users, user-index   ARGV: deadline, name, sla, ifMatch, listUsers
 * Returns {'ok', created, rev, adminContact, billingContact, userId...}
 *       | {'precondition_failed'} | {'late'}
 */
export const PUT_ACCOUNT_LUA = `${DEADLINE_GUARD_LUA}${SHARED_LUA}
local exists = accountExists()
local current = redis.call('HMGET', KEYS[1], 'name', 'sla', 'rev', 'admin_contact', 'billing_contact')
local rev = tonumber(current[3]) or 0
if not ifMatch(ARGV[4], exists, rev) then return {'precondition_failed'} end
if not exists or current[1] ~= ARGV[2] or current[2] ~= ARGV[3] then
  rev = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('HSET', KEYS[1], 'name', ARGV[2], 'sla', ARGV[3], 'rev', rev)
end
local reply = {'ok', exists and 0 or 1, rev, current[4] or '', current[5] or ''}
if ARGV[5] == '1' then
  for _, userId in ipairs(redis.call('HKEYS', KEYS[2])) do table.insert(reply, userId) end
end
return reply
`;

/**
 * Deletes an account and its users; its revision counter stays.
 * KEYS: account, users, user-index   ARGV: deadline
 * Returns {'ok', userId...} | {'account_not_found'} | {'late'}
 */
export const DELETE_ACCOUNT_LUA = `${DEADLINE_GUARD_LUA}${SHARED_LUA}
if not accountExists() then return {'account_not_found'} end
local reply = {'ok'}
for _, userId in ipairs(redis.call('HKEYS', KEYS[2])) do table.insert(reply, userId) end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HDEL', KEYS[1], 'name', 'sla', 'rev', 'admin_contact', 'billing_contact')
redis.call('HINCRBY', KEYS[1], 'seq', 1)
return reply
`;

/**
 * Creates or updates a user and applies the contact rules in the same step:
 * the roles wanted are those given, or (none given) those held; a held role
 * missing from them is refused (roles move, they are not removed); a wanted
 * role whose permissions the body lacks is refused (the caller knows which
 * permissions each role needs and passes whether the body has them). A role
 * taken from another user bumps that user's revision too: their roles changed.
 * KEYS: account, users, user-index
 * ARGV: deadline, userId, userJson, rolesGiven ('1'|'0'), roles (comma list),
 *       adminAllowed ('1'|'0'), billingAllowed ('1'|'0'), ifMatch
 * Returns {'ok', created, rev, role...} | {'account_not_found'} | {'precondition_failed'}
 *       | {'role_removed', role...} | {'requires', role...} | {'late'}
 */
export const PUT_USER_LUA = `${DEADLINE_GUARD_LUA}${SHARED_LUA}
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
`;

/**
 * Deletes a user who holds no contact role.
 * KEYS: account, users, user-index   ARGV: deadline, userId
 * Returns {'ok'} | {'account_not_found'} | {'user_not_found'} | {'contact', role...} | {'late'}
 */
export const DELETE_USER_LUA = `${DEADLINE_GUARD_LUA}${SHARED_LUA}
if not accountExists() then return {'account_not_found'} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return {'user_not_found'} end
local holders = redis.call('HMGET', KEYS[1], ROLES[1], ROLES[2])
local held = {'contact'}
for i, role in ipairs(ROLES) do if holders[i] == ARGV[2] then table.insert(held, role) end end
if #held > 1 then return held end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'seq', 1)
return {'ok'}
`;

/**
 * One page of an account's users, in id order, after `after` ('' from the start),
 * with the account's contacts read in the same step. Reads only: no deadline.
 * KEYS: account, users, user-index   ARGV: after, limit
 * Returns {'ok', adminContact, billingContact, userId, stored, ...} | {'account_not_found'}
 */
export const LIST_USERS_LUA = `${SHARED_LUA}
if not accountExists() then return {'account_not_found'} end
local holders = redis.call('HMGET', KEYS[1], ROLES[1], ROLES[2])
local from = ARGV[1] == '' and '-' or ('(' .. ARGV[1])
local reply = {'ok', holders[1] or '', holders[2] or ''}
for _, userId in ipairs(redis.call('ZRANGEBYLEX', KEYS[3], from, '+', 'LIMIT', 0, tonumber(ARGV[2]))) do
  table.insert(reply, userId)
  table.insert(reply, redis.call('HGET', KEYS[2], userId) or '')
end
return reply
`;

/**
 * What a verified caller's admission needs from the directory, in one step: the account
 * (ACCOUNT_FIELDS), the caller's stored record, and the admin contact's when that is someone
 * else (the sysadmin's briefing names them).
 * KEYS: account, users  ARGV: userId, ...ACCOUNT_FIELDS (which name the admin contact)
 * Returns {Redis' clock (epoch ms), account field values..., caller's record or nil, admin contact's record or nil}
 */
export const READ_CALLER_LUA = `${REDIS_CLOCK_LUA}
local fields = {}
local adminId
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
local reply = redis.call('HMGET', KEYS[1], unpack(fields))
for i, field in ipairs(fields) do
  if field == 'admin_contact' then adminId = reply[i] end
end
reply[#fields + 1] = redis.call('HGET', KEYS[2], ARGV[1])
if adminId and adminId ~= ARGV[1] then reply[#fields + 2] = redis.call('HGET', KEYS[2], adminId) end
-- When the read happened, by Redis' clock: the line's copy judges its marks by it (line-copy.ts).
table.insert(reply, 1, string.format('%d', clockMs))
return reply
`;
