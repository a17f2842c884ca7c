-- confirmLease(owner, callSid, liveByCode): the use of the PIN `callSid` leased becomes final.
--- @include "includes/settle-lease"
local function confirmLease(owner, callSid, liveByCode)
  local lease = redis.call('HGET', CONSUMED, owner)
  if lease and string.match(lease, '^[^|]*|%d+|%d*|(.*)$') == callSid then settleLease(owner, liveByCode) end
end
