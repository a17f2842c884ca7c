-- The guess gate's spend (KEYS[5], guess-spend), in whole RISK_UNITs (src/pins/guess-scripts.ts).
-- spentSince(oldest, tidy, bucket): the window's spend from the sums, or, once the window has moved
-- past them (about once a bucket), summed again from the buckets; `tidy` then forgets older buckets
-- and stores the new sums. Returns spent, guesses, and the current bucket's own two counts.
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
