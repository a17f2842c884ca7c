-- Writes an account's card and (owner not '') a user's, each only over an older one.
-- 'settle': a change's own copy; lifts that change's mark (no other), and for an account deleted
-- raises its floor to the revision read, whatever the read found (the id may already be in use again).
-- 'fill': a call's copy of what it read at readAt (Redis' clock); nothing while any mark on the
-- account is younger than staleMs then (its change may still land); else the marks (changes that
-- died) are lifted and the account's floor raised to the revision read.
-- KEYS: accounts, users  ARGV: mode, accountId, owner, seq, account card, user card, readAt, staleMs,
--       change id (settle), '1' to raise the floor (settle)
-- Returns 1 when it wrote, 0 when a change in flight kept it from writing.
local field, legacyField, floorField = ARGV[2] .. ':changes', ARGV[2] .. ':changing', ARGV[2] .. ':floor'
local marks, legacy = redis.call('HGET', KEYS[1], field), redis.call('HGET', KEYS[1], legacyField)
local seq = tonumber(ARGV[4])
local function raiseFloor()
  if seq > tonumber(redis.call('HGET', KEYS[1], floorField) or '0') then redis.call('HSET', KEYS[1], floorField, seq) end
end
-- Each mark "<change id>@<epoch ms>"; an earlier version's "<count>|<epoch ms>" is one mark no settle names.
local function marksIn(value)
  local list = {}
  for mark in string.gmatch(value or '', '%S+') do
    list[#list + 1] = {id = string.match(mark, '^([^@]*)@'), at = tonumber(string.match(mark, '(%d+)$')) or 0, text = mark}
  end
  return list
end
if ARGV[1] == 'fill' and (marks or legacy) then
  for _, value in ipairs({marks or '', legacy or ''}) do
    for _, mark in ipairs(marksIn(value)) do
      if mark.at + tonumber(ARGV[8]) >= tonumber(ARGV[7]) then return 0 end
    end
  end
  redis.call('HDEL', KEYS[1], field, legacyField)
  raiseFloor()
  marks = nil
end
local function put(key, cardField, card)
  local stored = redis.call('HGET', key, cardField)
  if stored and tonumber(string.match(stored, '^{"seq":(%d+)')) >= seq then return false end
  redis.call('HSET', key, cardField, card)
  return true
end
-- An account deleted: none of its users' cards may be trusted again, whatever account takes its id.
if put(KEYS[1], ARGV[2], ARGV[5]) and string.find(ARGV[5], '"gone":true', 1, true) then raiseFloor() end
if ARGV[10] == '1' then raiseFloor() end
if ARGV[3] ~= '' then put(KEYS[2], ARGV[3], ARGV[6]) end
if ARGV[1] == 'settle' and marks then
  local others = {}
  for _, mark in ipairs(marksIn(marks)) do
    if mark.id ~= ARGV[9] then others[#others + 1] = mark.text end
  end
  if #others == 0 then redis.call('HDEL', KEYS[1], field)
  else redis.call('HSET', KEYS[1], field, table.concat(others, ' ')) end
end
return 1
