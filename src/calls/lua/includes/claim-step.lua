-- Claims a step for deciding, so identical webhooks at the same moment get one decision. A claim
-- lapses after claimMs (Redis' clock), so a retry can decide a step whose first instance died.
--- @include "includes/redis-clock"
local nowMs = clockMs
local function readState(call)
  local state = redis.call('HGETALL', call)
  local fields = {}
  for i = 1, #state, 2 do fields[state[i]] = state[i + 1] end
  return state, fields
end
-- {'decided', decision}, or {'busy'} while an identical request holds the step; nil when it is free.
local function stepTaken(fields, stepField, claimField)
  local decided = fields[stepField]
  if decided then return {'decided', decided} end
  local claim = fields[claimField]
  if claim and tonumber(claim) > nowMs then return {'busy'} end
  return nil
end
-- Holds the step for this request until it records a decision (or claimMs pass).
local function holdStep(call, claimField, claimMs, ttlMs)
  redis.call('HSET', call, claimField, nowMs + tonumber(claimMs))
  redis.call('PEXPIRE', call, ttlMs)
end
