-- A call from the sysadmin's number: remembered unless a verification call is in flight.
-- KEYS: slot, inbound  ARGV: inbound value, sysadminId, ttl ms  Reply: 1 if remembered, else 0
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, 8) == 'ringing|' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
