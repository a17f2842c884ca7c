-- The caller no longer waits (connected, left, hung up, a ghost). KEYS: the six  ARGV: callSid.
-- Returns who they were (the caller JSON), or false if they were not waiting.
--- @include "includes/waiting-entry"
local caller = redis.call('HGET', KEYS[2], ARGV[1])
forgetCaller(KEYS, ARGV[1])
return caller
