-- admitCaller(a, waiting): the PIN leased to this call (false when it is gone: used up, leased or
-- replaced; of racing calls exactly one gets true), the step's decision recorded with who is
-- calling and the lease Twilio's reports settle (`leased`: the owner; the caller's first wait-URL
-- fetch confirms it, src/pins/lua/confirm-lease-4.lua, sent by the wait fetch; their call ending before that releases it,
-- release-lease-7.lua), and the caller held (holdCaller: `waiting` is a table of the six waiting
-- keys). Used by the PIN step (check-pin-step-21.lua).
-- Needs CONSUMED, CONSUMED_UNTIL, and ADMIT (src/calls/admission.ts: callTtlMs).
-- a: {now, hash, owner, callSid, call (key), stepField, decision, order, caller (JSON), accountId, userId, from}
--- @include "../../pins/lua/includes/consume-pin"
--- @include "../../oncall/lua/includes/waiting-entry"
local function admitCaller(a, waiting)
  pruneLeases(a.now)
  if not consume(a.now, a.hash, a.owner, a.callSid) then return false end
  redis.call('HDEL', a.call, (string.gsub(a.stepField, '^step:', 'claim:')))
  redis.call('HSET', a.call, a.stepField, a.decision, 'accountId', a.accountId, 'userId', a.userId, 'leased', a.owner, 'from', a.from)
  redis.call('PEXPIRE', a.call, ADMIT.callTtlMs)
  holdCaller(waiting, a.callSid, a.order, a.caller, a.now)
  return true
end
