-- confirmLease(owner, callSid): the use of the PIN `callSid` leased becomes final (its caller
-- heard "connecting you": includes/consume-pin). Needs CONSUMED, CONSUMED_UNTIL.
--- @include "includes/forget-consumed"
local function confirmLease(owner, callSid)
  local lease = redis.call('HGET', CONSUMED, owner)
  if lease and string.match(lease, '^[^|]*|%d+|%d*|([^|]*)|') == callSid then forgetConsumed(owner) end
end
