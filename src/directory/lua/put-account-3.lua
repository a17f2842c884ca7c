-- Creates or updates an account's name and plan. The revision moves only when
-- something changed. `listUsers` = '1' also returns the user ids (the caller
-- revokes their PINs when the plan has no phone support).
-- KEYS: account, users, user-index   ARGV: deadline, name, sla, ifMatch, listUsers
-- Returns {'ok', created, rev, adminContact, billingContact, userId...}
--       | {'precondition_failed'} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/account"
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
