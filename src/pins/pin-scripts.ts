import { DEADLINE_GUARD_LUA } from '../redis/deadline.js';

/*
 * The PIN index, all under the `{pins}` hash tag:
 *   by-hash   HASH  HMAC(pin)  -> "<owner>|<expiresAtMs>"
 *   by-owner  HASH  <owner>    -> "<HMAC(pin)>|<expiresAtMs>"   (one live PIN per user)
 *   expiry    ZSET  HMAC(pin) scored by expiresAtMs              (pruning, live count)
 * An owner is "<accountId>/<userId>"; neither id may contain "/" or "|".
 * Expiry is decided by the caller's clock (ARGV now), so TTLs follow the injected clock.
 */

// Shared by the scripts below: forget one PIN everywhere, given its hash.
const FORGET_PIN_LUA = `
local function forget(hash)
  local record = redis.call('HGET', KEYS[1], hash)
  if record then
    local owner = string.match(record, '^([^|]*)|')
    local current = redis.call('HGET', KEYS[2], owner)
    if current and string.match(current, '^([^|]*)|') == hash then redis.call('HDEL', KEYS[2], owner) end
    redis.call('HDEL', KEYS[1], hash)
  end
  redis.call('ZREM', KEYS[3], hash)
end
local function prune(now)
  for _, hash in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 64)) do forget(hash) end
end
`;

/**
 * Issues a PIN atomically: limits issues per user (sliding hour), refuses a hash
 * that a live PIN already has (the caller draws again), replaces the user's
 * previous PIN, and prunes a few expired ones.
 * KEYS: by-hash, by-owner, expiry, issued(owner)
 * ARGV: deadline, now, hash, owner, expiresAt, windowMs, limit
 * Returns {'ok'} | {'collision'} | {'rate_limited', retryAfterMs} | {'late'}
 */
export const ISSUE_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local now, hash, owner, expiresAt = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local window, limit = tonumber(ARGV[6]), tonumber(ARGV[7])
prune(now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
if redis.call('ZCARD', KEYS[4]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  return {'rate_limited', tonumber(oldest[2]) + window - now}
end
if redis.call('HEXISTS', KEYS[1], hash) == 1 then return {'collision'} end
local previous = redis.call('HGET', KEYS[2], owner)
if previous then forget(string.match(previous, '^([^|]*)|')) end
redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt)
redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, hash)
redis.call('ZADD', KEYS[4], now, hash)
redis.call('PEXPIRE', KEYS[4], window)
return {'ok'}
`;

/**
 * Uses a PIN up: of any number of racing calls exactly one gets {'ok'}.
 * Only the PIN of the expected owner is consumed, and only while it is live.
 * KEYS: by-hash, by-owner, expiry   ARGV: deadline, now, hash, owner
 * Returns {'ok'} | {'gone'} | {'late'}
 */
export const CONSUME_PIN_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local record = redis.call('HGET', KEYS[1], ARGV[3])
if not record then return {'gone'} end
local owner, expiresAt = string.match(record, '^([^|]*)|(%d+)$')
if owner ~= ARGV[4] or tonumber(expiresAt) <= tonumber(ARGV[2]) then return {'gone'} end
forget(ARGV[3])
return {'ok'}
`;

/**
 * Revokes the live PIN of each owner given.
 * KEYS: by-hash, by-owner, expiry   ARGV: deadline, owner...
 * Returns {'ok', revokedCount} | {'late'}
 */
export const REVOKE_PINS_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}
local revoked = 0
for i = 2, #ARGV do
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if current then
    forget(string.match(current, '^([^|]*)|'))
    revoked = revoked + 1
  end
end
return {'ok', revoked}
`;
