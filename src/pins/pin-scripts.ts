import { DEADLINE_GUARD_LUA } from '../redis/deadline.js';

/*
 * The PIN index, all under the `{pins}` hash tag:
 *   by-hash       HASH  HMAC(pin)  -> "<owner>|<expiresAtMs>|<account code>"
 *   by-owner      HASH  <owner>    -> "<HMAC(pin)>|<expiresAtMs>"   (one live PIN per user)
 *   expiry        ZSET  HMAC(pin) scored by expiresAtMs              (pruning, live count)
 *   live-by-code  HASH  <account code> -> live PINs of accounts with that code (the guess bound)
 *   consumed:<owner> STRING "<HMAC(pin)>|<expiresAtMs>|<code>|<CallSid>", briefly, so a
 *                 consumption whose answer came back too late can be undone.
 * An owner is "<accountId>/<userId>"; neither id may contain "/" or "|".
 * Expiry is decided by the caller's clock (ARGV now), so TTLs follow the injected clock.
 * Every script below takes KEYS[1..4] = by-hash, by-owner, expiry, live-by-code.
 */

// Shared by the scripts here and the guess gate: forget one PIN everywhere, given its hash.
export const FORGET_PIN_LUA = `
local function forget(hash)
  local record = redis.call('HGET', KEYS[1], hash)
  if record then
    local owner, _, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
    if owner then
      local current = redis.call('HGET', KEYS[2], owner)
      if current and string.match(current, '^([^|]*)|') == hash then redis.call('HDEL', KEYS[2], owner) end
      if code ~= '' and redis.call('HINCRBY', KEYS[4], code, -1) <= 0 then redis.call('HDEL', KEYS[4], code) end
    end
    redis.call('HDEL', KEYS[1], hash)
  end
  redis.call('ZREM', KEYS[3], hash)
end
local function prune(now, most)
  for _, hash in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, most)) do forget(hash) end
end
`;

/**
 * Issues a PIN atomically: limits issues per user (sliding hour), refuses a hash
 * that a live PIN already has (the caller draws again), replaces the user's
 * previous PIN (and forgets a consumption that could have been undone), and
 * prunes a few expired ones.
 * KEYS: by-hash, by-owner, expiry, live-by-code, issued(owner), consumed(owner)
 * ARGV: deadline, now, hash, owner, expiresAt, windowMs, limit, accountCode
 * Returns {'ok'} | {'collision'} | {'rate_limited', retryAfterMs} | {'late'}
 */
export const ISSUE_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local now, hash, owner, expiresAt = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local window, limit, code = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
prune(now, 64)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
if redis.call('ZCARD', KEYS[5]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {'rate_limited', tonumber(oldest[2]) + window - now}
end
if redis.call('HEXISTS', KEYS[1], hash) == 1 then return {'collision'} end
local previous = redis.call('HGET', KEYS[2], owner)
if previous then forget(string.match(previous, '^([^|]*)|')) end
redis.call('DEL', KEYS[6])
redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, hash)
redis.call('HINCRBY', KEYS[4], code, 1)
redis.call('ZADD', KEYS[5], now, hash)
redis.call('PEXPIRE', KEYS[5], window)
return {'ok'}
`;

/**
 * Uses a PIN up: of any number of racing calls exactly one gets {'ok'}.
 * Only the PIN of the expected owner is consumed, and only while it is live.
 * It remembers, for keepMs, which call used it, so that call can undo it.
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed(owner)
 * ARGV: deadline, now, hash, owner, callSid, keepMs
 * Returns {'ok'} | {'gone'} | {'late'}
 */
export const CONSUME_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local record = redis.call('HGET', KEYS[1], ARGV[3])
if not record then return {'gone'} end
local owner, expiresAt, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
if owner ~= ARGV[4] or tonumber(expiresAt) <= tonumber(ARGV[2]) then return {'gone'} end
forget(ARGV[3])
redis.call('SET', KEYS[5], ARGV[3] .. '|' .. expiresAt .. '|' .. code .. '|' .. ARGV[5], 'PX', ARGV[6])
return {'ok'}
`;

/**
 * Undoes a consumption whose answer came back after the caller had been told the
 * line is down: the PIN is live again if it was used by this call, has not
 * expired, and its owner has no newer PIN. No deadline guard: whenever it runs,
 * those checks make it safe, and a late undo is better than a lost PIN.
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed(owner)
 * ARGV: now, hash, owner, callSid
 * Returns {'restored'} | {'gone'}
 */
export const RESTORE_PIN_LUA = `
local consumed = redis.call('GET', KEYS[5])
if not consumed then return {'gone'} end
local hash, expiresAt, code, callSid = string.match(consumed, '^([^|]*)|(%d+)|(%d*)|(.*)$')
if hash ~= ARGV[2] or callSid ~= ARGV[4] then return {'gone'} end
redis.call('DEL', KEYS[5])
if tonumber(expiresAt) <= tonumber(ARGV[1]) then return {'gone'} end
if redis.call('HEXISTS', KEYS[1], hash) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then return {'gone'} end
redis.call('HSET', KEYS[1], hash, ARGV[3] .. '|' .. expiresAt .. '|' .. code)
redis.call('HSET', KEYS[2], ARGV[3], hash .. '|' .. expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, hash)
if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
return {'restored'}
`;

/**
 * Revokes the live PIN of each owner given (and any consumption it could undo).
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed(owner 1), consumed(owner 2), ...
 * ARGV: deadline, owner 1, owner 2, ...
 * Returns {'ok', revokedCount} | {'late'}
 */
export const REVOKE_PINS_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local revoked = 0
for i = 2, #ARGV do
  redis.call('DEL', KEYS[3 + i])
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if current then
    forget(string.match(current, '^([^|]*)|'))
    revoked = revoked + 1
  end
end
return {'ok', revoked}
`;
