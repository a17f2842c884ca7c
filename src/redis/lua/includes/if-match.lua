-- The If-Match check for a script that writes a versioned value, so the check and the write
-- are one step: ifMatch(condition, exists, rev), the condition as ifMatchArg gives it
-- (src/directory/revisions.ts): '' none, '*' exists, else a comma list of revisions.
local function ifMatch(condition, exists, rev)
  if condition == '' then return true end
  if not exists then return false end
  if condition == '*' then return true end
  for tag in string.gmatch(condition, '[^,]+') do
    if tonumber(tag) == rev then return true end
  end
  return false
end
