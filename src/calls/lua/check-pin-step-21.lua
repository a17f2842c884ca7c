-- A PIN prompt's answer in one round trip: the step claimed (as claim-call-step-1.lua), the guess
-- checked and counted (checkGuess), and a miss's decision recorded, atomically: a guess is never
-- counted twice for one step. Nothing typed (check '0'), or a step that asked for the account code:
-- not checked. A hit's owner is read in the directory here and, when they may call and their tier
-- is open, admitted (admitCaller); any other hit comes back with what was read, for the refusal.
-- Given LIMITS, PRIORITY (tier -> priority) and STEP (src/calls/abuse-limits.ts).
-- KEYS: the nine guess keys (checkGuess), call, consumed, consumed-until, the directory's
--       accounts and users, the six waiting keys, the account codes
-- ARGV: deadline, now, hash, attemptId, bucket, oldest, callerWindowFrom, stepField, claimField,
--       check, attempt, askPin JSON, askCode JSON, open tiers (",gold,silver,"), callSid, from
-- Reply: {'late'} | {'decided', decision} | {'busy'} | recorded, the step not held:
--   {'claimed', 'miss', decision, lockedNow, this minute's failures, busier minute's, retired account} |
--   {'claimed', 'admitted', decision, owner, tier, '', ''} | the step held, with the call's state:
--   {'claimed', outcome, a, b, c, '', '', field, value, ...}, outcome 'unchecked', 'hit' (a: owner,
--   b: account JSON, c: user record, '' for none) or a guess outcome other than a miss
--- @include "includes/deadline-guard"
--- @include "includes/claim-step"
local CONSUMED, CONSUMED_UNTIL = KEYS[11], KEYS[12]
--- @include "../../pins/lua/includes/check-guess"
--- @include "includes/admit-caller"
--- @include "../../directory/lua/includes/may-phone"
local call, attempt = KEYS[10], tonumber(ARGV[11])
local state, fields = readState(call)
local taken = stepTaken(fields, ARGV[8], ARGV[9])
if taken then return taken end
-- Not decided here: the caller decides, holding the step meanwhile.
local function reply(outcome, a, b, c, d, e)
  holdStep(call, ARGV[9], STEP.claimMs, STEP.callTtlMs)
  local out = {'claimed', outcome, a or '', b or '', c or '', d or '', e or ''}
  for _, item in ipairs(state) do out[#out + 1] = item end
  return out
end
if ARGV[10] ~= '1' then return reply('unchecked') end
for field, value in pairs(fields) do
  -- Only a step that asked for the account code is decoded.
  if string.sub(field, 1, 5) == 'step:' and string.find(value, 'ask_account_code', 1, true) then
    local d = cjson.decode(value)
    if d.kind == 'ask_account_code' and d.attempt == attempt then return reply('unchecked') end
  end
end

local function str(value) return cjson.encode(value) end
local function nameOf(accountId, userId)
  local stored = redis.call('HGET', KEYS[14], accountId .. '/' .. userId)
  if not stored then return nil end
  return cjson.decode(string.match(stored, '^%d+:(.*)$')).name
end
local function admitOwner(owner)
  local accountId, userId = string.match(owner, '^([^/]*)/(.*)$')
  local accountJson, userStored = redis.call('HGET', KEYS[13], accountId), redis.call('HGET', KEYS[14], owner)
  local refusal, account, user = mayPhone(accountJson, userStored, ARGV[14])
  if refusal then return reply('hit', owner, accountJson or '', userStored or '') end
  local priority = PRIORITY[account.sla] or 0
  -- Its queue stored as '', the call's own (src/calls/decisions.ts storedDecision).
  local decision = '{"kind":"enqueue","name":' .. str(user.name) .. ',"queue":""}'
  local adminId = account.admin_contact
  local adminName = adminId and (adminId == userId and user.name or nameOf(accountId, adminId))
  -- The line's stored form (src/oncall/waiting-callers.ts storedCallerSchema): an array, without the CallSid.
  local caller = '[' .. str(accountId) .. ',' .. str(account.name) .. ',' .. str(userId) .. ',' .. str(user.name)
    .. ',' .. tostring(adminId == userId) .. ',' .. str(adminName) .. ',' .. str(account.sla)
    .. ',' .. priority .. ',' .. ARGV[2] .. ']'
  -- The PIN was found live just now, in this script: its lease cannot fail.
  local admitted = admitCaller({now = ARGV[2], hash = ARGV[3], owner = owner, callSid = ARGV[15], call = call,
    stepField = ARGV[8], decision = decision, order = -priority * 1e13 + tonumber(ARGV[2]), caller = caller,
    accountId = accountId, userId = userId, from = ARGV[16]}, {unpack(KEYS, 15, 20)})
  if not admitted then error('a PIN found live could not be leased in the same script') end
  return {'claimed', 'admitted', decision, owner, account.sla, '', ''}
end

local code = fields['accountCode'] or ''
local guess = checkGuess({now = ARGV[2], hash = ARGV[3], attemptId = ARGV[4], code = code, bucket = ARGV[5],
  oldest = ARGV[6], callerWindowFrom = ARGV[7], codes = KEYS[21]})
if guess[1] == 'hit' then return admitOwner(guess[2]) end
if guess[1] ~= 'miss' then return reply(guess[1], guess[2], guess[3]) end

-- A miss: locked out, too many attempts (one while the line alarm is on), or the prompt again.
local locked, thisMinute, busier, retired = guess[2], guess[3], guess[4], guess[5]
local allowed = STEP.attemptsPerCall
if busier >= STEP.alarmThreshold then allowed = 1 end
local failures = tonumber(fields['failures'] or '0') + 1
local decision
if locked == 1 then decision = STEP.lockedOut
elseif failures >= allowed then decision = STEP.tooMany
elseif code == '' then decision = ARGV[12]
else decision = ARGV[13] end
redis.call('HSET', call, ARGV[8], decision, 'failures', failures)
redis.call('PEXPIRE', call, STEP.callTtlMs)
return {'claimed', 'miss', decision, locked, thisMinute, busier, retired}
