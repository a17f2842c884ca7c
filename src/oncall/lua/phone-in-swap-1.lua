-- Replaces the slot's value only if it is still `expected` ('' as next: deletes it).
-- KEYS: slot  ARGV: expected, next, ttl ms  Reply: 1 if changed, else 0
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
