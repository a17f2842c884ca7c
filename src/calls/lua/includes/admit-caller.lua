-- admitCaller(a, waiting): the PIN used up (false when it is gone: used up or replaced; of
-- racing calls exactly one gets true), the step's decision recorded with who is calling and
-- which request admitted them (`admittedBy`: only that request may give the admission back),
-- and the caller held (holdCaller: `waiting` is a table of the six waiting keys). Shared by the
-- admission (admit-caller-13.lua) and the PIN step that admits a caller the line's directory
-- copy vouches for (check-pin-step-21.lua). Needs CONSUMED, CONSUMED_UNTIL, and ADMIT
-- (src/calls/admission.ts: keepMs, how long the use can be undone; callTtlMs).
-- a: {now, hash, owner, callSid, call (key), stepField, decision, order, caller (JSON), accountId, userId, token}
--- @include "../../pins/lua/includes/consume-pin"
--- @include "../../oncall/lua/includes/waiting-entry"
local function admitCaller(a, waiting)
  if not consume(a.now, a.hash, a.owner, a.callSid, ADMIT.keepMs) then return false end
  redis.call('HDEL', a.call, (string.gsub(a.stepField, '^step:', 'claim:')))
  redis.call('HSET', a.call, a.stepField, a.decision, 'accountId', a.accountId, 'userId', a.userId, 'admittedBy', a.token)
  redis.call('PEXPIRE', a.call, ADMIT.callTtlMs)
  holdCaller(waiting, a.callSid, a.order, a.caller, a.now)
  return true
end
