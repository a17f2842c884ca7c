-- Issues a PIN atomically: issues per user limited (sliding hour), a hash a live PIN has refused
-- (draw again), the account given a code if it has none current (the first candidate no account
-- ever held), its live PINs under the code kept at most `cap` (the per-code allowance counts on it),
-- and the user's previous PIN (and its lease) replaced. With `phoneTiers`, the directory is read in
-- the same script, so an issue can never overtake a change that revokes the user's PINs.
-- KEYS: by-hash, by-owner, expiry, live-by-code, consumed, consumed-until, issued(owner), account-codes,
--       the directory's accounts and users (src/directory/lua/includes/directory.lua)
-- ARGV: deadline, now, hash, owner, expiresAt, windowMs, limit, candidate codes ("c1,c2,..."), cap,
--       guessWindowMs (a code is replaced at most once per guess window: src/policy/guess-bound.ts CODES_PER_WINDOW),
--       phoneTiers ('' issues without looking at the directory: tools and the store's own tests)
-- Reply: {'ok', accountCode, sla} | {'collision'} | {'no_code'} (every candidate taken: draw again) |
--   {'rate_limited', retryAfterMs} | {'too_many_live_pins'} | {'account_not_found'} | {'user_not_found'} |
--   {'sla_not_eligible', sla} | {'permission_required'} | {'late'}
--- @include "includes/deadline-guard"
--- @include "includes/forget-pin"
local CONSUMED, CONSUMED_UNTIL = KEYS[5], KEYS[6]
--- @include "includes/settle-lease"
--- @include "../../directory/lua/includes/may-phone"
local now, hash, owner, expiresAt = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local window, limit, cap = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9])
local CODES = KEYS[8]
local function accountCode(account, candidates)
  local code = redis.call('HGET', CODES, 'a:' .. account)
  -- A code of another length (the policy's accountCodeDigits changed) could never be typed: a new one.
  local digits = #(string.match(candidates, '%d+') or '')
  if code and #code == digits and redis.call('HEXISTS', CODES, 'r:' .. code) == 0 then return code end
  -- The bound counts on no third code in one window: after a replacement, PINs carry no code ('')
  -- until the window has passed (nobody can be let in with a code; PIN-only calls are unaffected).
  local hadOne = redis.call('HEXISTS', CODES, 'h:' .. account) == 1
  local replaced = tonumber(redis.call('HGET', CODES, 'n:' .. account) or '0')
  if hadOne and replaced > now - tonumber(ARGV[10]) then return '' end
  for candidate in string.gmatch(candidates, '%d+') do
    -- Never one another account holds or held, nor one live PINs of an earlier version carry.
    if redis.call('HEXISTS', CODES, 'c:' .. candidate) == 0 and redis.call('HEXISTS', CODES, 'r:' .. candidate) == 0
      and redis.call('HEXISTS', KEYS[4], candidate) == 0 then
      redis.call('HSET', CODES, 'a:' .. account, candidate, 'c:' .. candidate, account)
      if hadOne then redis.call('HSET', CODES, 'n:' .. account, now) else redis.call('HSET', CODES, 'h:' .. account, 1) end
      return candidate
    end
  end
  return nil
end
local sla = ''
if ARGV[11] ~= '' then
  local accountJson = redis.call('HGET', KEYS[9], string.match(owner, '^([^/]*)/'))
  local refusal, account = mayPhone(accountJson, redis.call('HGET', KEYS[10], owner), ARGV[11])
  if refusal == 'sla_not_eligible' then return {refusal, account.sla} end
  if refusal then return {refusal} end
  sla = account.sla
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
-- A PIN without a code (the account's codes are used up for this window) cannot be guessed with one: no cap to keep.
local live = code == '' and 0 or tonumber(redis.call('HGET', KEYS[4], code) or '0')
local previousRecord = previous and redis.call('HGET', KEYS[1], previous)
if previousRecord and select(3, string.match(previousRecord, '^([^|]*)|(%d+)|?(%d*)$')) == code then live = live - 1 end
if live >= cap then return {'too_many_live_pins'} end
if previous then forget(previous) end
settleLease(owner, KEYS[4])
redis.call('HSET', KEYS[1], hash, owner .. '|' .. expiresAt .. '|' .. code)
redis.call('HSET', KEYS[2], owner, hash .. '|' .. expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, hash)
if code ~= '' then redis.call('HINCRBY', KEYS[4], code, 1) end
redis.call('ZADD', KEYS[7], now, hash)
redis.call('PEXPIRE', KEYS[7], window)
return {'ok', code, sla}
