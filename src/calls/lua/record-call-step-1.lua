-- Records a step's decision once (a retry keeps the first), releases its claim, counts, sets facts.
-- KEYS: call  ARGV: ttlMs, stepField ('' for none), decision, counter to add 1 to ('' for none), field, value, ...
-- Reply: 0 when the step had been recorded before (a retry), else 1
if ARGV[2] ~= '' then
  redis.call('HDEL', KEYS[1], (string.gsub(ARGV[2], '^step:', 'claim:')))
  if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    return 0
  end
end
if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[1], ARGV[4], 1) end
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
