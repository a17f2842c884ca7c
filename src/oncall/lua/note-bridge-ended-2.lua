-- The caller's call ended (its status callback). If they are still between the <Queue> url and
-- Twilio's report of the bridge (both reports may have been lost: Twilio sends each once), note
-- when, so the pager can settle them if no report comes (src/oncall/bridge-books.ts).
-- KEYS: bridging, bridges-ended  ARGV: callSid, now
-- Returns 1 when the bridge was still unreported.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
return 1
