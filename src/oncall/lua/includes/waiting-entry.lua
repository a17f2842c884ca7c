-- A waiting caller's entry across the six waiting keys, held (by the PIN step's admission,
-- src/calls/lua/) and forgotten in one place: a caller joins due for paging at once. `k`: a table of the six keys (src/oncall/waiting-callers.ts):
--   k[1] waiting       ZSET  callSid by tier priority, then arrival (the place in line)
--   k[2] callers       HASH  callSid -> the caller, for the briefing (JSON)
--   k[3] chains        HASH  callSid -> the paging chain (JSON; none yet: nobody paged, the first on the rota next)
--   k[4] reservations  HASH  callSid -> "<until>|<sysadminId>|<agentCallSid>"
--   k[5] due           ZSET  callSid by when its chain next needs the pager
--   k[6] seen          ZSET  callSid by its last wait-URL fetch (a heartbeat)
local function holdCaller(k, callSid, order, callerJson, now)
  redis.call('ZADD', k[1], order, callSid)
  redis.call('HSET', k[2], callSid, callerJson)
  redis.call('ZADD', k[5], now, callSid)
  redis.call('ZADD', k[6], now, callSid)
end
local function forgetCaller(k, callSid)
  for i, command in ipairs({'ZREM', 'HDEL', 'HDEL', 'HDEL', 'ZREM', 'ZREM'}) do redis.call(command, k[i], callSid) end
end
