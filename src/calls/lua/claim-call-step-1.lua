-- Claims a step (includes/claim-step) and returns the call's whole state with it (read before
-- the claim was written: the state never carries claims).
-- KEYS: call  ARGV: deadline, stepField, claimField, claimMs, ttlMs
-- Reply: {'decided', decision} | {'busy'} | {'claimed', field, value, ...} (the whole state) | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/claim-step"
local state, fields = readState(KEYS[1])
local taken = stepTaken(fields, ARGV[2], ARGV[3])
if taken then return taken end
holdStep(KEYS[1], ARGV[3], ARGV[4], ARGV[5])
local reply = {'claimed'}
for _, item in ipairs(state) do reply[#reply + 1] = item end
return reply
