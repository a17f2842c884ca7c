import { DEADLINE_GUARD_LUA } from '../redis/deadline.js';

/*
 * The PIN index, all under the call path's `{line}` hash tag (src/redis/keys.ts):
 *   by-hash       HASH  HMAC(pin)  -> "<owner>|<expiresAtMs>|<account code>"
 *   by-owner      HASH  <owner>    -> "<HMAC(pin)>|<expiresAtMs>"   (one live PIN per user)
 *   expiry        ZSET  HMAC(pin) scored by expiresAtMs              (pruning, live count)
 *   live-by-code  HASH  <account code> -> live PINs issued with that code (the guess bound)
 *   account-codes HASH  "a:<accountId>" -> the account's code; "c:<code>" -> the account that holds
 *                 or held it; "r:<code>" -> when it was retired (src/pins/guess-scripts.ts). A code
 *                 is drawn at random, held by one account only, and never given to another.
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
-- now, most: strings (a number would be formatted for Redis again at every call)
local function prune(now, most)
  for _, hash in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', '0', most)) do forget(hash) end
end
`;

/**
 * forgetConsumed(owner): forgets the consumption an owner could undo. `at`: where the script's
 * KEYS hold consumed and consumed-until (5 in the scripts here; the PIN step has them elsewhere).
 */
export const forgetConsumedLua = (at = 5): string => `
local CONSUMED, CONSUMED_UNTIL = KEYS[${String(at)}], KEYS[${String(at + 1)}]
local function forgetConsumed(owner)
  redis.call('HDEL', CONSUMED, owner)
  redis.call('ZREM', CONSUMED_UNTIL, owner)
end
`;
const FORGET_CONSUMED_LUA = forgetConsumedLua();

/**
 * Issues a PIN atomically: limits issues per user (sliding hour), refuses a hash
 * that a live PIN already has (the caller draws again), gives the account a code if
 * it has none or its code was retired (the first candidate no account ever held), keeps
 * the account's live PINs under its code at most `cap` (the guess bound's per-code
 * allowance counts on it), replaces the user's previous PIN (and forgets a consumption
 * that could have been undone), and prunes a few expired ones.
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until, issued(owner), account-codes
 * ARGV: deadline, now, hash, owner, expiresAt, windowMs, limit, candidate codes ("c1,c2,..."), cap
 * Returns {'ok', accountCode} | {'collision'} | {'no_code'} (every candidate taken: draw again) |
 *   {'rate_limited', retryAfterMs} | {'too_many_live_pins'} | {'late'}
 */
export const ISSUE_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${FORGET_CONSUMED_LUA}
local now, hash, owner, expiresAt = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local window, limit, cap = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9])
local CODES = KEYS[8]
local function accountCode(account, candidates)
  local code = redis.call('HGET', CODES, 'a:' .. account)
  if code and redis.call('HEXISTS', CODES, 'r:' .. code) == 0 then return code end
  for candidate in string.gmatch(candidates, '%d+') do
    -- Never one another account holds or held, nor one live PINs of an earlier version carry.
    if redis.call('HEXISTS', CODES, 'c:' .. candidate) == 0 and redis.call('HEXISTS', CODES, 'r:' .. candidate) == 0
      and redis.call('HEXISTS', KEYS[4], candidate) == 0 then
      redis.call('HSET', CODES, 'a:' .. account, candidate, 'c:' .. candidate, account)
      return candidate
    end
  end
  return nil
end
prune(ARGV[2], '64')
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now - window)
if redis.call('ZCARD', KEYS[7]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[7], 0, 0, 'WITHSCORES')
  return {'rate_limited', tonumber(oldest[2]) + window - now}
end
if redis.call('HEXISTS', KEYS[1], hash) == 1 then return {'collision'} end
local code = accountCode(string.match(owner, '^([^/]*)/'), ARGV[8])
if not code then return {'no_code'} end
local previous = redis.call('HGET', KEYS[2], owner)
previous = previous and string.match(previous, '^([^|]*)|')
-- The user's previous PIN makes way for this one: it does not count against the cap.
local live = tonumber(redis.call('HGET', KEYS[4], code) or '0')
local previousRecord = previous and redis.call('HGET', KEYS[1], previous)
if previousRecord and select(3, string.match(previousRecord, '^([^|]*)|(%d+)|?(%d*)$')) == code then live = live - 1 end
if live >= cap then return {'too_many_live_pins'} end
if previous then forget(previous) end
forgetConsumed(owner)
redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, hash)
redis.call('HINCRBY', KEYS[4], code, 1)
redis.call('ZADD', KEYS[7], now, hash)
redis.call('PEXPIRE', KEYS[7], window)
return {'ok', code}
`;

/*
 * Using a PIN up and giving it back, as Lua functions over KEYS[1..6] = by-hash, by-owner,
 * expiry, live-by-code, consumed, consumed-until, so the call path's scripts
 * (src/calls/admission.ts, src/calls/pin-step-script.ts) use a PIN up with the very code tested here.
 * consume: of any number of racing calls exactly one gets true; only the PIN of the expected
 * owner, only while it is live; it remembers for keepMs which call used it, so that call can
 * undo it (and forgets a few consumptions nobody can undo any more). restore: the PIN is live
 * again if it was used by this call, has not expired, and its owner has no newer PIN.
 */
export const consumeRestoreLua = (at = 5): string => `${forgetConsumedLua(at)}
local function consume(now, hash, owner, callSid, keepMs)
  local record = redis.call('HGET', KEYS[1], hash)
  if not record then return false end
  local recordOwner, expiresAt, code = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
  if recordOwner ~= owner or tonumber(expiresAt) <= tonumber(now) then return false end
  forget(hash)
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', CONSUMED_UNTIL, '-inf', now, 'LIMIT', '0', '8')) do forgetConsumed(old) end
  local keepUntil = tostring(tonumber(now) + tonumber(keepMs))
  redis.call('HSET', CONSUMED, owner, hash .. '|' .. expiresAt .. '|' .. code .. '|' .. callSid .. '|' .. keepUntil)
  redis.call('ZADD', CONSUMED_UNTIL, keepUntil, owner)
  return true
end
local function restore(now, hash, owner, callSid)
  local consumed = redis.call('HGET', CONSUMED, owner)
  if not consumed then return 'gone' end
  local usedHash, expiresAt, code, usedBy, keepUntil = string.match(consumed, '^([^|]*)|(%d+)|(%d*)|([^|]*)|(%d+)$')
  if usedHash ~= hash or usedBy ~= callSid then return 'gone' end
  forgetConsumed(owner)
  if tonumber(keepUntil) <= tonumber(now) or tonumber(expiresAt) <= tonumber(now) then return 'gone' end
  if redis.call('HEXISTS', KEYS[1], hash) == 1 or redis.call('HEXISTS', KEYS[2], owner) == 1 then return 'gone' end
  redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
  redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
  redis.call('ZADD', KEYS[3], expiresAt, hash)
  if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
  return 'restored'
end
`;

export const CONSUME_RESTORE_LUA = consumeRestoreLua();

/**
 * Uses a PIN up (see consume above).
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until
 * ARGV: deadline, now, hash, owner, callSid, keepMs
 * Returns {'ok'} | {'gone'} | {'late'}
 */
export const CONSUME_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${CONSUME_RESTORE_LUA}
if consume(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]) then return {'ok'} end
return {'gone'}
`;

/**
 * Revokes the live PIN of each owner given (and any consumption it could undo).
 * KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until
 * ARGV: deadline, owner 1, owner 2, ...
 * Returns {'ok', revokedCount} | {'late'}
 */
export const REVOKE_PINS_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${FORGET_CONSUMED_LUA}
local revoked = 0
for i = 2, #ARGV do
  forgetConsumed(ARGV[i])
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if current then
    forget(string.match(current, '^([^|]*)|'))
    revoked = revoked + 1
  end
end
return {'ok', revoked}
`;
