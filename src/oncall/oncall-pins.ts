import { createHmac } from 'node:crypto';
import type { Result } from 'ioredis';
import { UnavailableError } from '../errors.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * Each sysadmin's personal on-call PIN, which they type when they phone the support line:
 * caller ID is trivially spoofed, so a call from a rota number hears nothing about a
 * customer until this PIN is right. Stored only as HMAC-SHA256(PIN_SECRET, id + PIN).
 * Wrong PINs count per sysadmin (not per call, not per number), and too many in an hour
 * lock that sysadmin's phone-in out for the lockout time: a spoofer cannot keep guessing.
 */
export const ONCALL_PIN_FAILURES_PER_HOUR = 5;
export const ONCALL_PIN_LOCKOUT_MS = 3_600_000;
const HOUR_MS = 3_600_000;

/**
 * Checks and counts one on-call PIN attempt in one step, so concurrent calls cannot guess
 * past the limit. KEYS: pins, failures, lockout
 * ARGV: deadline, sysadminId, hash, limit, windowMs, lockoutMs
 * Returns 'ok', 'wrong', 'locked' (now or already), 'unset', or {'late'}.
 */
const CHECK_ONCALL_PIN_LUA = `${DEADLINE_GUARD_LUA}
if redis.call('EXISTS', KEYS[3]) == 1 then return 'locked' end
local stored = redis.call('HGET', KEYS[1], ARGV[2])
if not stored then return 'unset' end
if stored == ARGV[3] then
  redis.call('DEL', KEYS[2])
  return 'ok'
end
local failures = redis.call('INCR', KEYS[2])
if failures == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
if failures >= tonumber(ARGV[4]) then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[6])
  redis.call('DEL', KEYS[2])
  return 'locked'
end
return 'wrong'
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    checkOncallPin(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export type OncallPinCheck = 'ok' | 'wrong' | 'locked' | 'unset';

export function createOncallPins(redis: RedisClient, secret: string) {
  redis.defineCommand('checkOncallPin', { numberOfKeys: 3, lua: CHECK_ONCALL_PIN_LUA });
  const hashOf = (sysadminId: string, pin: string): string =>
    createHmac('sha256', secret).update(`oncall:${sysadminId}:${pin}`).digest('base64url');

  return {
    async set(sysadminId: string, pin: string): Promise<void> {
      await withRedis(() =>
        redis.multi().hset(keys.oncallPins, sysadminId, hashOf(sysadminId, pin)).del(keys.oncallPinLockout(sysadminId)).exec(),
      );
    },
    /** Whether each sysadmin has an on-call PIN set, in order, read with one command. */
    async have(sysadminIds: string[]): Promise<boolean[]> {
      if (sysadminIds.length === 0) return [];
      return (await withRedis(() => redis.hmget(keys.oncallPins, ...sysadminIds))).map((hash) => hash !== null);
    },
    async check(sysadminId: string, pin: string): Promise<OncallPinCheck> {
      const reply = await withRedis(() =>
        redis.checkOncallPin(
          keys.oncallPins,
          keys.oncallPinFailures(sysadminId),
          keys.oncallPinLockout(sysadminId),
          scriptDeadline(),
          sysadminId,
          hashOf(sysadminId, pin),
          ONCALL_PIN_FAILURES_PER_HOUR,
          HOUR_MS,
          ONCALL_PIN_LOCKOUT_MS,
        ),
      );
      if (isLate(reply)) throw new UnavailableError();
      return reply === 'ok' || reply === 'locked' || reply === 'unset' ? reply : 'wrong';
    },
  };
}

export type OncallPins = ReturnType<typeof createOncallPins>;
