-- One account and its users, all under the account's `{a:<id>}` hash tag:
--   KEYS[1] account     HASH  name, sla, admin_contact, billing_contact, rev, seq
--   KEYS[2] users       HASH  userId -> "<rev>:<JSON {name, permissions}>"
--   KEYS[3] user-index  ZSET  userId, all scored 0 (users in id order, for paging)
-- `seq` is the account's revision counter. Deleting the account removes every other field but
-- keeps `seq`, so revisions (and ETags) never go back, even across a delete and re-create.
-- `rev` is the revision of the account's own view. Every change is one script: it decides the
-- contact rules and If-Match on the state it changes, so concurrent changes serialise in Redis.
--- @include "includes/if-match"
local ROLES = {'admin_contact', 'billing_contact'}
local function accountExists() return redis.call('HEXISTS', KEYS[1], 'name') == 1 end
