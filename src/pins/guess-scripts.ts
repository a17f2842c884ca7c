/*
 * The guess gate's keys live under `{line}` with the index they guard (see pin-scripts.ts):
 *   guess-spend               HASH  "r:<bucket>" -> risk spent, "g:<bucket>" -> guesses missed,
 *                                   per bucket of the window (src/pins/guess-bound.ts)
 *   caller:<number>:failures  ZSET  attempt ids scored by time (the number's sliding window)
 *   caller:<number>:lockout   STRING locked until (ms)
 *   line-failures:<minute>    STRING failed guesses that minute (the line alarm)
 */

// Sums the risk spent in the window (bucket > oldest) and forgets older buckets.
const SPENT_LUA = `
local function spentSince(oldest, tidy)
  local spent, guesses, fields = 0, 0, redis.call('HGETALL', KEYS[5])
  for i = 1, #fields, 2 do
    local kind, b = string.match(fields[i], '^(%a):(%d+)$')
    if b == nil or tonumber(b) <= oldest then
      if tidy then redis.call('HDEL', KEYS[5], fields[i]) end
    elseif kind == 'r' then spent = spent + tonumber(fields[i + 1])
    else guesses = guesses + tonumber(fields[i + 1]) end
  end
  return spent, guesses
end
local function riskOf(live, digits)
  local p = live / 10 ^ digits
  if p >= 1 then return math.huge end
  if p < 1e-6 then return p + p * p / 2 end
  return -math.log(1 - p)
end
`;

/**
 * Checks one guess and counts it, atomically, so concurrent calls cannot exceed a limit:
 * the caller number's lockout, then the line's risk budget, then the PIN index; a miss is
 * counted against the number (locking it out at the limit), the line's budget and the alarm.
 * A PIN-only guess is checked against every live PIN while the PIN-only budget lasts; a guess
 * with an account code only against that code's live PINs, while the whole budget lasts.
 * Nothing is looked up or counted when a limit says no; a hit costs nothing.
 * A Lua function for a script that runs it with the step claim (src/calls/abuse-limits.ts): the
 * script must start with DEADLINE_GUARD_LUA and include FORGET_PIN_LUA.
 * KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller failures, caller lockout,
 *       line failures (this minute), line failures (last minute)
 * checkGuess(g) with g: now (string), hash ('' for digits of the wrong length: a miss without a
 *   look-up), attemptId, code ('' for PIN only), digits, pinOnly, total, windowMs, bucketMs,
 *   callerWindowMs, callerLimit, lockoutMs, minuteTtlMs (all strings, as ARGV gives them)
 * Returns {'locked_out'} | {'account_code'} (PIN-only budget spent) |
 *   {'exhausted'} (whole budget spent) | {'hit', owner, expiresAt} |
 *   {'miss', lockedNow (0/1), failuresThisMinute, failuresInBusierMinute}
 */
export const CHECK_GUESS_FN_LUA = `${SPENT_LUA}
local function checkGuess(g)
  local now, hash, code = tonumber(g.now), g.hash, g.code
  local lockedUntil = redis.call('GET', KEYS[7])
  if lockedUntil and tonumber(lockedUntil) > now then return {'locked_out'} end

  prune(now, 16)
  local bucketMs = tonumber(g.bucketMs)
  local bucket = math.floor(now / bucketMs)
  local spent = spentSince(bucket - math.ceil(tonumber(g.windowMs) / bucketMs) - 1, true)
  local live
  if code == '' then live = redis.call('ZCOUNT', KEYS[3], '(' .. g.now, '+inf')
  else live = tonumber(redis.call('HGET', KEYS[4], code) or '0') end
  local risk = 0
  if hash ~= '' then risk = riskOf(live, tonumber(g.digits)) end
  if code == '' and spent + risk > tonumber(g.pinOnly) then return {'account_code'} end
  if code ~= '' and spent + risk > tonumber(g.total) then return {'exhausted'} end

  if hash ~= '' then
    local record = redis.call('HGET', KEYS[1], hash)
    if record then
      local owner, expiresAt, recordCode = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
      if owner and tonumber(expiresAt) > now and (code == '' or recordCode == code) then
        return {'hit', owner, expiresAt}
      end
    end
  end

  redis.call('HINCRBYFLOAT', KEYS[5], 'r:' .. bucket, string.format('%.17g', risk))
  redis.call('HINCRBY', KEYS[5], 'g:' .. bucket, 1)
  redis.call('PEXPIRE', KEYS[5], tonumber(g.windowMs) + 2 * bucketMs)
  local window, limit, lockout = tonumber(g.callerWindowMs), tonumber(g.callerLimit), tonumber(g.lockoutMs)
  redis.call('ZADD', KEYS[6], now, g.attemptId)
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - window)
  redis.call('PEXPIRE', KEYS[6], window)
  local locked = 0
  if redis.call('ZCARD', KEYS[6]) >= limit then
    redis.call('SET', KEYS[7], now + lockout, 'PX', lockout)
    redis.call('DEL', KEYS[6])
    locked = 1
  end
  local thisMinute = redis.call('INCR', KEYS[8])
  if thisMinute == 1 then redis.call('PEXPIRE', KEYS[8], g.minuteTtlMs) end
  local lastMinute = tonumber(redis.call('GET', KEYS[9]) or '0')
  return {'miss', locked, thisMinute, math.max(thisMinute, lastMinute)}
end
`;

/**
 * Reads, without changing anything, where the line stands: a number's lockout and the budget.
 * KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller lockout
 * ARGV: now, windowMs, bucketMs
 * Returns {lockedUntil or '', livePins, riskSpent (string), guessesMissed}
 */
export const GUESS_STATUS_LUA = `${SPENT_LUA}
local now, bucketMs = tonumber(ARGV[1]), tonumber(ARGV[3])
local bucket = math.floor(now / bucketMs)
local spent, guesses = spentSince(bucket - math.ceil(tonumber(ARGV[2]) / bucketMs) - 1, false)
local live = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf')
return {redis.call('GET', KEYS[6]) or '', live, string.format('%.17g', spent), guesses}
`;
