-- Settles a caller once, waiting or being bridged: the first report gets them, any later one nothing.
-- KEYS: the six, bridging, bridges-ended  ARGV: callSid, onlyBridging ('1': leave a waiting caller be)
-- Returns false, or {caller JSON, reservation or '', bridging fields...} (HGETALL's flat list).
--- @include "includes/waiting-entry"
-- Out of the bridges-ended list whatever happens: a record gone (its TTL) must not leave an entry behind.
redis.call('ZREM', KEYS[8], ARGV[1])
local bridging = redis.call('HGETALL', KEYS[7])
if #bridging > 0 then
  redis.call('DEL', KEYS[7])
  return bridging
end
if ARGV[2] == '1' then return false end
local caller = redis.call('HGET', KEYS[2], ARGV[1])
if not caller then return false end
local held = redis.call('HGET', KEYS[4], ARGV[1]) or ''
forgetCaller(KEYS, ARGV[1])
return {'caller', caller, 'reservation', held}
