import { DEADLINE_GUARD_LUA } from '../redis/deadline.js';

/*
 * The waiting callers' scripts. Every one takes the same six keys, all under the call path's
 * `{line}` hash tag (src/redis/keys.ts), in this order (src/oncall/waiting-callers.ts):
 *   KEYS[1] waiting       ZSET  callSid by tier priority, then arrival (the place in line)
 *   KEYS[2] callers       HASH  callSid -> the caller, for the briefing (JSON)
 *   KEYS[3] chains        HASH  callSid -> the paging chain (JSON)
 *   KEYS[4] reservations  HASH  callSid -> "<until>|<sysadminId>|<agentCallSid>"
 *   KEYS[5] due           ZSET  callSid by when its chain next needs the pager
 *   KEYS[6] seen          ZSET  callSid by its last wait-URL fetch (a heartbeat)
 */

/**
 * Lua functions over a table of the six keys, so the PIN's admission (src/calls/admission.ts)
 * holds a caller with the very code that `add` uses: a caller joins due for paging at once.
 */
export const WAITING_ENTRY_LUA = `
local function holdCaller(k, callSid, order, callerJson, now)
  redis.call('ZADD', k[1], order, callSid)
  redis.call('HSET', k[2], callSid, callerJson)
  redis.call('HSET', k[3], callSid, '{"nextIndex":0,"page":null}')
  redis.call('ZADD', k[5], now, callSid)
  redis.call('ZADD', k[6], now, callSid)
end
local function forgetCaller(k, callSid)
  redis.call('ZREM', k[1], callSid)
  redis.call('HDEL', k[2], callSid)
  redis.call('HDEL', k[3], callSid)
  redis.call('HDEL', k[4], callSid)
  redis.call('ZREM', k[5], callSid)
  redis.call('ZREM', k[6], callSid)
end
`;

/** A verified caller joins. KEYS: the six  ARGV: callSid, order, callerJson, now. */
export const ADD_WAITING_LUA = `${WAITING_ENTRY_LUA}
holdCaller(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
`;

/**
 * The caller no longer waits (connected, left, hung up, a ghost). KEYS: the six  ARGV: callSid.
 * Returns who they were (the caller JSON), or false if they were not waiting.
 */
export const REMOVE_WAITING_LUA = `${WAITING_ENTRY_LUA}
local caller = redis.call('HGET', KEYS[2], ARGV[1])
forgetCaller(KEYS, ARGV[1])
return caller
`;

/**
 * The <Queue> url was fetched: Twilio is about to bridge the caller with the sysadmin who
 * dequeued them. The caller leaves the line (no more pages, briefings or places in line) for
 * a record of their own, kept until Twilio reports whether the bridge happened; its TTL
 * outlives any call, in case both reports are lost. A repeated fetch changes nothing.
 * KEYS: the six, bridging  ARGV: callSid, sysadminId, agentCallSid, from, now, ttlMs
 * Returns 1 if the caller was waiting.
 */
export const PREPARE_BRIDGE_LUA = `${WAITING_ENTRY_LUA}
local caller = redis.call('HGET', KEYS[2], ARGV[1])
if not caller then return 0 end
redis.call('HSET', KEYS[7], 'caller', caller, 'sysadminId', ARGV[2], 'agentCallSid', ARGV[3], 'from', ARGV[4], 'at', ARGV[5])
redis.call('PEXPIRE', KEYS[7], ARGV[6])
forgetCaller(KEYS, ARGV[1])
return 1
`;

/**
 * Settles a caller once, from wherever they are: still waiting, or being bridged. The first
 * report of what became of them (connected, left) gets them; any later one gets nothing, so
 * each outcome is booked once however Twilio's reports are ordered or repeated.
 * KEYS: the six, bridging  ARGV: callSid, onlyBridging ('1': leave a waiting caller be)
 * Returns false, or {caller JSON, reservation or '', bridging fields...} (HGETALL's flat list).
 */
export const SETTLE_LUA = `${WAITING_ENTRY_LUA}
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
`;

/**
 * Reserves a waiting caller for the sysadmin who pressed 1 after hearing about them: only
 * if the caller still waits and nobody else holds a live reservation, so two sysadmins
 * never take one caller; the same sysadmin's call pressing again (a retried webhook) gets
 * its reservation back. The chain falls due when the reservation runs out: an unbridged
 * reservation goes back to paging by itself.
 * KEYS: the six  ARGV: deadline, callSid, now, reservation, until, agentCallSid
 * Returns 'reserved', 'taken', 'gone' or {'late'}.
 */
export const RESERVE_LUA = `${DEADLINE_GUARD_LUA}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 'gone' end
local current = redis.call('HGET', KEYS[4], ARGV[2])
if current then
  local untilMs, _, agentCall = string.match(current, '^(%d+)|([^|]*)|(.*)$')
  if agentCall ~= ARGV[6] and tonumber(untilMs) > tonumber(ARGV[3]) then return 'taken' end
end
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2])
return 'reserved'
`;

/**
 * Ends a reservation that did not become a bridge (the Dial found nobody, the sysadmin hung
 * up): only the reserving call's own, and the chain is due at once.
 * KEYS: the six  ARGV: callSid, agentCallSid, now.  Returns 1 if released.
 */
export const RELEASE_LUA = `
local current = redis.call('HGET', KEYS[4], ARGV[1])
if not current or not string.find(current, '|' .. ARGV[2], 1, true) then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1]) end
return 1
`;

/**
 * Takes a due chain for one pager: only if it is due, by moving its due time to the end of
 * a lease, so two instances ticking at once never page for the same caller twice.
 * KEYS: due  ARGV: callSid, now, leaseUntil.  Returns 1 if taken.
 */
export const CLAIM_CHAIN_LUA = `
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/**
 * Saves a chain and when it is next due, only while the caller waits and only if the page
 * in flight is still the one the writer saw (compare-and-set on its CallSid, '' for none).
 * KEYS: the six  ARGV: callSid, expectedPageSid, chain JSON, dueAt.  Returns 1 if saved.
 */
export const SAVE_CHAIN_LUA = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local current = redis.call('HGET', KEYS[3], ARGV[1])
local seen = ''
if current then
  local page = cjson.decode(current).page
  if type(page) == 'table' then seen = page.pageCallSid end
end
if seen ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
return 1
`;
