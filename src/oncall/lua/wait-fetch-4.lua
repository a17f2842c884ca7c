-- A wait-URL fetch in one command: the heartbeat (the caller is still there), their place in
-- line, their plan, and whether a sysadmin holds them (a live reservation, which keeps them past
-- the maximum wait). Nothing is written for a caller no longer waiting.
-- KEYS: waiting, callers, reservations, seen (the waiting line: src/oncall/waiting-callers.ts)
-- ARGV: callSid, now
-- Reply: false (not waiting) | {rank (0-based), tier, reservation until (0 for none)}
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not rank then return false end
redis.call('ZADD', KEYS[4], 'XX', ARGV[2], ARGV[1])
local caller = redis.call('HGET', KEYS[2], ARGV[1])
local tier = caller and cjson.decode(caller).tier or ''
local held = redis.call('HGET', KEYS[3], ARGV[1])
local reservedUntil = held and tonumber(string.match(held, '^(%d+)|')) or 0
return {rank, tier, reservedUntil}
