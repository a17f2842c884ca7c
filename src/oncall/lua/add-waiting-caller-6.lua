-- A verified caller joins. KEYS: the six  ARGV: callSid, order, callerJson, now.
--- @include "includes/waiting-entry"
holdCaller(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
