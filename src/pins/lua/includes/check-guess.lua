-- checkGuess(g): checks one guess and counts it atomically, so concurrent calls cannot exceed an
-- allowance. A PIN-only guess spends the line's allowance; a guess with an account code is checked
-- only against that code's live PINs and spends only the code's. The miss that leaves the code too
-- little for one more guess at the cap retires it, so a current code's right PIN is always checked.
-- A code nobody holds is answered like a held one: a code alone reveals nothing. A hit costs nothing.
-- Needs LIMITS (src/calls/abuse-limits.ts).
-- KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller failures, caller lockout,
--       line failures (this minute), line failures (last minute); the account codes in g.codes
-- g (strings, as ARGV gives them): now, hash ('' for digits of the wrong length: a miss without a
--   look-up), attemptId, code ('' for PIN only), bucket, oldest (the newest bucket out of the
--   window), callerWindowFrom (now - the number's window), codes (the account codes' key)
-- Returns {'locked_out'} | {'account_code'} (PIN-only allowance spent) | {'code_retired'} |
--   {'hit', owner, expiresAt} | {'miss', lockedNow (0/1), failuresThisMinute, failuresInBusierMinute,
--   retired ('' or the account whose code this miss retired, '-' when none is known)}
--- @include "includes/forget-pin"
--- @include "includes/guess-spend"
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
      -- Only past the cap (a PIN live again, its lease lapsed, in a full account): the code goes rather than the bound.
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
