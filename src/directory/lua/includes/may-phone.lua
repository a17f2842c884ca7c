-- mayPhone(accountJson, userStored, tiers): nil when the user may phone support (the account on a plan
-- among `tiers` ",gold,silver,", the user with Manage Support), else the refusal: 'account_not_found',
-- 'user_not_found', 'sla_not_eligible' or 'permission_required'; then the account and user as far as read.
local function mayPhone(accountJson, userStored, tiers)
  local account = accountJson and cjson.decode(accountJson)
  if not account or type(account.name) ~= 'string' then return 'account_not_found' end
  if not userStored then return 'user_not_found', account end
  local user = cjson.decode(string.match(userStored, '^%d+:(.*)$'))
  if not string.find(tiers, ',' .. account.sla .. ',', 1, true) then return 'sla_not_eligible', account, user end
  for _, permission in ipairs(user.permissions) do
    if permission == 'manage_support' then return nil, account, user end
  end
  return 'permission_required', account, user
end
