-- Forgets one PIN everywhere, given its hash; prune forgets a few expired ones.
-- Over KEYS[1..4] = by-hash, by-owner, expiry, live-by-code (src/pins/pin-store.ts).
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
