-- admitCaller(a, waiting): the PIN leased to this call (false when it is gone; of racing calls exactly
-- one gets true), the step's decision recorded with who is calling and `leased` (the owner, for
-- confirm-lease-4.lua or release-lease-7.lua), and the caller held (`waiting`: the six waiting keys).
-- Needs CONSUMED, CONSUMED_UNTIL, and STEP (src/calls/abuse-limits.ts: callTtlMs).
-- a: {now, hash, owner, callSid, call (key), stepField, decision, order, caller (JSON), accountId, userId, from}
--- @include "../../pins/lua/includes/consume-pin"
--- @include "../../oncall/lua/includes/waiting-entry"
local function admitCaller(a, waiting)
  pruneLeases(a.now)
  if not consume(a.now, a.hash, a.owner, a.callSid) then return false end
  redis.call('HDEL', a.call, (string.gsub(a.stepField, '^step:', 'claim:')))
  redis.call('HSET', a.call, a.stepField, a.decision, 'accountId', a.accountId, 'userId', a.userId, 'leased', a.owner, 'from', a.from)
  redis.call('PEXPIRE', a.call, STEP.callTtlMs)
  holdCaller(waiting, a.callSid, a.order, a.caller, a.now)
  return true
end
