import { DEADLINE_GUARD_LUA } from '../redis/deadline.js';

/**
 * Compare-and-set of one account and its users (both under the account's hash
 * tag). The contact rules are decided in TypeScript on a read of the account;
 * this script applies the result only if the account's version is still the one
 * that was read, so two concurrent changes can never both pass the rules.
 * KEYS: account, users
 * ARGV: deadline, expectedVersion (0: must not exist), accountData ('' deletes the
 *       account and all its users), userId ('' for none), userData ('' deletes the user)
 * Returns {'ok'} | {'stale'} | {'late'}
 */
export const WRITE_ACCOUNT_LUA = `${DEADLINE_GUARD_LUA}
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[2]) then return {'stale'} end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'ok'}
end
redis.call('HSET', KEYS[1], 'data', ARGV[3], 'version', version + 1)
if ARGV[4] ~= '' then
  if ARGV[5] == '' then
    redis.call('HDEL', KEYS[2], ARGV[4])
  else
    redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
  end
end
return {'ok'}
`;
