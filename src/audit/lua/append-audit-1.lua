-- Appends a batch of audit events to one stream in one command.
-- KEYS: stream  ARGV: its approximate cap (MAXLEN ~ keeps trimming cheap), events oldest first
-- Reply: how many were appended
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[i])
end
return #ARGV - 1
