-- A verified caller's admission in one step (includes/admit-caller).
-- KEYS: the six PIN keys (PIN_KEYS), call, the six waiting keys
-- ARGV: deadline, now, hash, owner, callSid, stepField, decision JSON, order, caller JSON, accountId, userId
-- Reply: {'ok'} | {'gone'} (used up or replaced: of racing calls exactly one gets 'ok') | {'late'}
--- @include "includes/deadline-guard"
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "includes/admit-caller"
local waiting = {KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]}
local admitted = admitCaller({now = ARGV[2], hash = ARGV[3], owner = ARGV[4], callSid = ARGV[5], call = KEYS[7],
  stepField = ARGV[6], decision = ARGV[7], order = ARGV[8], caller = ARGV[9], accountId = ARGV[10], userId = ARGV[11]},
  waiting)
if admitted then return {'ok'} end
return {'gone'}
