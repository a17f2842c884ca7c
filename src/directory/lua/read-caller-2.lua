-- What a verified caller's admission needs from the directory, in one step: the account
-- (ACCOUNT_FIELDS), the caller's stored record, and the admin contact's when that is someone
-- else (the sysadmin's briefing names them).
-- KEYS: account, users  ARGV: userId, ...ACCOUNT_FIELDS (which name the admin contact)
-- Returns {Redis' clock (epoch ms), account field values..., caller's record or nil, admin contact's record or nil}
--- @include "includes/redis-clock"
local fields = {}
local adminId
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
local reply = redis.call('HMGET', KEYS[1], unpack(fields))
for i, field in ipairs(fields) do
  if field == 'admin_contact' then adminId = reply[i] end
end
reply[#fields + 1] = redis.call('HGET', KEYS[2], ARGV[1])
if adminId and adminId ~= ARGV[1] then reply[#fields + 2] = redis.call('HGET', KEYS[2], adminId) end
-- When the read happened, by Redis' clock: the line's copy judges its marks by it (line-copy.ts).
table.insert(reply, 1, string.format('%d', clockMs))
return reply
