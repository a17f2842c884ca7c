/*
 * The guess gate's keys live under `{line}` with the index they guard (see pin-scripts.ts):
 *   guess-spend               HASH  per bucket of the window (src/pins/guess-bound.ts):
 *                                   "u:<bucket>" -> risk spent by PIN-only guesses, in whole RISK_UNITs,
 *                                   "g:<bucket>" -> guesses missed (all kinds); and their sums over the
 *                                   window, "sum:u" and "sum:g", with "floor", the newest bucket the sums
 *                                   leave out. Spend kept by an earlier version as "r:<bucket>" (a float)
 *                                   is still counted, once. "c:<account code>:<bucket>" -> the risk spent
 *                                   by guesses with that code: its own allowance, nobody else's.
 *   account-codes             HASH  (src/pins/pin-scripts.ts) "a:<accountId>" -> the account's code,
 *                                   "c:<code>" -> the account that holds or held it (never given to
 *                                   another), "r:<code>" -> when the code was retired (its allowance spent).
 *   caller:<number>:failures  ZSET  attempt ids scored by time (the number's sliding window)
 *   caller:<number>:lockout   STRING locked until (ms)
 *   line-failures:<minute>    STRING failed guesses that minute (the line alarm)
 */

/**
 * Risk is counted in whole units of 1e-14, each guess's rounded up and the budgets rounded down
 * (guess-bound.ts), so that the counts are integers (HINCRBY-exact up to 2^53 units, far above
 * any budget) instead of floats whose formatting was the dearest step of a wrong PIN.
 */
export const RISK_UNIT = 1e-14;

// The window's spend from the sums (one read, with the current bucket's counts), or, once the
// window has moved past the bucket the sums were made for (about once a bucket), summed again
// from the buckets; `tidy` then forgets older buckets and stores the new sums. A guess reads
// five fields instead of every bucket's two.
// spentSince(oldest, tidy, bucket): oldest, the newest bucket no longer in the window; bucket,
// the current one (strings). Returns spent, guesses, and the current bucket's own two counts.
const SPENT_LUA = `
local RISK_UNITS = 1e14
local function spentSince(oldest, tidy, bucket)
  local read = redis.call('HMGET', KEYS[5], 'sum:u', 'sum:g', 'floor', 'u:' .. bucket, 'g:' .. bucket)
  if read[3] and tonumber(read[3]) >= tonumber(oldest) then
    return tonumber(read[1]) or 0, tonumber(read[2]) or 0, tonumber(read[4]) or 0, tonumber(read[5]) or 0
  end
  local spent, guesses, fields = 0, 0, redis.call('HGETALL', KEYS[5])
  local old = tonumber(oldest)
  for i = 1, #fields, 2 do
    local kind, b = string.match(fields[i], '^(%a):(%d+)$')
    local value = tonumber(fields[i + 1])
    local codeBucket = string.match(fields[i], '^c:%d+:(%d+)$')
    if codeBucket then
      -- a code's own spend (checkGuess reads it): only forgotten here once out of the window
      if tidy and tonumber(codeBucket) <= old then redis.call('HDEL', KEYS[5], fields[i]) end
    elseif b == nil then
      -- the sums and their floor: made again below
    elseif tonumber(b) <= old then
      if tidy then redis.call('HDEL', KEYS[5], fields[i]) end
    elseif kind == 'r' then
      local units = math.ceil(value * RISK_UNITS)
      spent = spent + units
      if tidy then
        redis.call('HDEL', KEYS[5], fields[i])
        redis.call('HINCRBY', KEYS[5], 'u:' .. b, units)
      end
    elseif kind == 'u' then spent = spent + value
    else guesses = guesses + value end
  end
  if tidy then redis.call('HSET', KEYS[5], 'sum:u', spent, 'sum:g', guesses, 'floor', oldest) end
  local now = redis.call('HMGET', KEYS[5], 'u:' .. bucket, 'g:' .. bucket)
  return spent, guesses, tonumber(now[1]) or 0, tonumber(now[2]) or 0
end
-- A guess's risk in units, rounded up. Below p = 1e-6, 1 - p drops p's last digits: the series instead.
local function riskOf(live, digits)
  local p = live / 10 ^ digits
  if p >= 1 then return math.huge end
  if p < 1e-6 then return math.ceil((p + p * p / 2) * RISK_UNITS) end
  return math.ceil(-math.log(1 - p) * RISK_UNITS)
end
`;

/** The policy's limits for CHECK_GUESS_FN_LUA, in the units it counts in. */
export interface GuessLimits {
  digits: number;
  /** Risk (RISK_UNITs) PIN-only guesses may spend in the window. */
  pinOnly: number;
  /** Risk (RISK_UNITs) the guesses with any one account code may spend in the window. */
  perCode: number;
  /** Risk (RISK_UNITs, rounded up) of a guess with a code whose account holds as many live PINs as it may. */
  atCap: number;
  spendTtlMs: number;
  callerWindowMs: number;
  callerLimit: number;
  lockoutMs: number;
  minuteTtlMs: number;
}

/**
 * The limits as a Lua table, written into the script rather than sent with every guess: a
 * script argument costs Redis about a thousand instructions and each number read from one
 * another string-to-number conversion; the policy is fixed while the process runs. Numbers
 * only passed on to Redis are written as strings, so Redis does not format them each time.
 */
export function guessLimitsLua(limits: GuessLimits): string {
  const number = (value: number): string => {
    if (!Number.isSafeInteger(value)) throw new Error(`a guess limit must be a whole number, not ${String(value)}`);
    return String(value);
  };
  return `
local LIMITS = {digits = ${number(limits.digits)}, pinOnly = ${number(limits.pinOnly)}, perCode = ${number(limits.perCode)}, atCap = ${number(limits.atCap)},
  spendTtlMs = '${number(limits.spendTtlMs)}', callerWindowMs = '${number(limits.callerWindowMs)}',
  callerLimit = ${number(limits.callerLimit)}, lockoutMs = ${number(limits.lockoutMs)}, minuteTtlMs = '${number(limits.minuteTtlMs)}'}
`;
}

/**
 * Checks one guess and counts it, atomically, so concurrent calls cannot exceed an allowance:
 * the caller number's lockout, then the guess's allowance, then the PIN index; a miss is counted
 * against the number (locking it out at the limit), its allowance and the alarm.
 * A PIN-only guess is checked against every live PIN while the line's PIN-only allowance lasts.
 * A guess with an account code is checked only against that code's live PINs and spends only
 * that code's allowance (no pool other accounts depend on). The miss that leaves the code too
 * little for one more guess at the cap retires the code (the account's next PIN shows a new
 * one): a current code's guess therefore always fits, and a right PIN with it is always checked.
 * A retired code is refused before anything is looked up; a code nobody holds risks nothing and
 * is answered like a held one, so a code alone reveals nothing. A hit costs nothing.
 * A Lua function for a script that runs it with the step claim (src/calls/abuse-limits.ts): the
 * script must start with DEADLINE_GUARD_LUA, include FORGET_PIN_LUA and define LIMITS (guessLimitsLua).
 * KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller failures, caller lockout,
 *       line failures (this minute), line failures (last minute); the account codes in g.codes
 * checkGuess(g) with g: now, hash ('' for digits of the wrong length: a miss without a look-up),
 *   attemptId, code ('' for PIN only), bucket, oldest (the spend's current bucket and the newest out
 *   of the window), callerWindowFrom (now - the number's window) (all strings, as ARGV gives them:
 *   passed on to Redis as they are, not formatted again), codes (the account codes' key)
 * Returns {'locked_out'} | {'account_code'} (PIN-only allowance spent) | {'code_retired'} |
 *   {'hit', owner, expiresAt} |
 *   {'miss', lockedNow (0/1), failuresThisMinute, failuresInBusierMinute, retired ('' or the account
 *   whose code this miss retired, '-' when no account is known for it)}
 */
export const CHECK_GUESS_FN_LUA = `${SPENT_LUA}
-- The code's own spend in the window, from its buckets' fields.
local function codeSpentSince(code, oldest, bucket)
  local spent, fields = 0, {}
  for b = tonumber(oldest) + 1, tonumber(bucket) do fields[#fields + 1] = 'c:' .. code .. ':' .. b end
  for _, inBucket in ipairs(redis.call('HMGET', KEYS[5], unpack(fields))) do spent = spent + (tonumber(inBucket) or 0) end
  return spent
end
-- Retired for good: no guess with it is checked again, and no account is given it again.
local function retireCode(codes, code, now)
  redis.call('HSET', codes, 'r:' .. code, now)
  local holder = redis.call('HGET', codes, 'c:' .. code)
  if not holder then return '-' end
  if redis.call('HGET', codes, 'a:' .. holder) == code then redis.call('HDEL', codes, 'a:' .. holder) end
  return holder
end
local function checkGuess(g)
  local now, hash, code = tonumber(g.now), g.hash, g.code
  local lockedUntil = redis.call('GET', KEYS[7])
  if lockedUntil and tonumber(lockedUntil) > now then return {'locked_out'} end

  prune(g.now, '16')
  local spent, guesses, bucketRisk, bucketGuesses = spentSince(g.oldest, true, g.bucket)
  local risk, codeSpent = 0, 0
  if code == '' then
    if hash ~= '' then risk = riskOf(redis.call('ZCOUNT', KEYS[3], '(' .. g.now, '+inf'), LIMITS.digits) end
    if spent + risk > LIMITS.pinOnly then return {'account_code'} end
  else
    if redis.call('HEXISTS', g.codes, 'r:' .. code) == 1 then return {'code_retired'} end
    if hash ~= '' then risk = riskOf(tonumber(redis.call('HGET', KEYS[4], code) or '0'), LIMITS.digits) end
    if risk > 0 then
      codeSpent = codeSpentSince(code, g.oldest, g.bucket)
      -- Only past the cap (a PIN given back to a full account): the code goes rather than the bound.
      if codeSpent + risk > LIMITS.perCode then
        retireCode(g.codes, code, g.now)
        return {'code_retired'}
      end
    end
  end

  if hash ~= '' then
    local record = redis.call('HGET', KEYS[1], hash)
    if record then
      local owner, expiresAt, recordCode = string.match(record, '^([^|]*)|(%d+)|?(%d*)$')
      if owner and tonumber(expiresAt) > now and (code == '' or recordCode == code) then
        return {'hit', owner, expiresAt}
      end
    end
  end

  -- A PIN-only miss spends the line's allowance; a miss with a code only that code's.
  local retired = ''
  if code == '' then
    redis.call('HSET', KEYS[5], 'u:' .. g.bucket, bucketRisk + risk, 'g:' .. g.bucket, bucketGuesses + 1,
      'sum:u', spent + risk, 'sum:g', guesses + 1)
  else
    redis.call('HSET', KEYS[5], 'g:' .. g.bucket, bucketGuesses + 1, 'sum:g', guesses + 1)
    if risk > 0 then
      redis.call('HINCRBY', KEYS[5], 'c:' .. code .. ':' .. g.bucket, risk)
      if codeSpent + risk + LIMITS.atCap > LIMITS.perCode then retired = retireCode(g.codes, code, g.now) end
    end
  end
  -- The first miss of a bucket keeps the spend for the window and two buckets more.
  if bucketGuesses == 0 then redis.call('PEXPIRE', KEYS[5], LIMITS.spendTtlMs) end
  redis.call('ZADD', KEYS[6], g.now, g.attemptId)
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', g.callerWindowFrom)
  redis.call('PEXPIRE', KEYS[6], LIMITS.callerWindowMs)
  local locked = 0
  if redis.call('ZCARD', KEYS[6]) >= LIMITS.callerLimit then
    local lockout = LIMITS.lockoutMs
    redis.call('SET', KEYS[7], now + lockout, 'PX', lockout)
    redis.call('DEL', KEYS[6])
    locked = 1
  end
  local thisMinute = redis.call('INCR', KEYS[8])
  if thisMinute == 1 then redis.call('PEXPIRE', KEYS[8], LIMITS.minuteTtlMs) end
  local lastMinute = tonumber(redis.call('GET', KEYS[9]) or '0')
  return {'miss', locked, thisMinute, math.max(thisMinute, lastMinute), retired}
end
`;

/**
 * Reads, without changing anything, where the line stands: a number's lockout and the budget.
 * KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller lockout
 * ARGV: now, oldest, bucket (as for checkGuess)
 * Returns {lockedUntil or '', livePins, riskSpent (RISK_UNITs), guessesMissed}
 */
export const GUESS_STATUS_LUA = `${SPENT_LUA}
local spent, guesses = spentSince(ARGV[2], false, ARGV[3])
local live = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf')
return {redis.call('GET', KEYS[6]) or '', live, spent, guesses}
`;
