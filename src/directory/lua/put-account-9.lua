-- Creates or updates an account's name and plan. The revision moves only when something changed.
-- A plan without phone support (revoke = '1') revokes the live PINs of the account's users in the
-- same step: no call can be admitted on one after the change.
-- KEYS: the six PIN keys, accounts, users, user-index   ARGV: deadline, accountId, name, sla, ifMatch, revoke
-- Returns {'ok', created, rev, adminContact, billingContact} | {'precondition_failed'} | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL, ACCOUNTS, USERS, USER_INDEX = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
--- @include "includes/directory"
--- @include "../../pins/lua/includes/revoke-pin"
local accountId = ARGV[2]
local account = readAccount(accountId)
local exists = accountExists(account)
if not ifMatch(ARGV[5], exists, account.rev) then return {'precondition_failed'} end
if not exists or account.name ~= ARGV[3] or account.sla ~= ARGV[4] then
  account.seq = account.seq + 1
  account.name, account.sla, account.rev = ARGV[3], ARGV[4], account.seq
  writeAccount(accountId, account)
end
if ARGV[6] == '1' then
  for _, userId in ipairs(userIdsOf(accountId, '')) do revokePin(userField(accountId, userId)) end
end
return {'ok', exists and 0 or 1, account.rev, account.admin_contact or '', account.billing_contact or ''}
