import { createHmac, randomUUID } from 'node:crypto';
import { UnavailableError } from '../errors.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { defineScript, type Decoder } from '../redis/scripts.js';

// Wrong PINs allowed per sysadmin within the window; the next entry is refused.
const limits = { failuresPerWindow: 5, windowMs: 24 * 3_600_000 };

export interface OncallPinCheck {
  result: 'ok' | 'wrong' | 'locked' | 'unset';
  /** Wrong PINs in the window, this one included. */
  failures: number;
  /** When the oldest of them was typed (0 if none): the window's failures are a burst since then. */
  since: number;
}

// The check's reply: {result, failures, oldest} or {'late'} (the request already gave up).
const decodeCheck: Decoder<OncallPinCheck> = (reply) => {
  if (isLate(reply) || !Array.isArray(reply)) throw new UnavailableError();
  const [result, failures, since] = reply as unknown[];
  return {
    result: result === 'ok' || result === 'locked' || result === 'unset' ? result : 'wrong',
    failures: Number(failures),
    since: Number(since),
  };
};

// On-call PINs, stored as HMAC-SHA256(PIN_SECRET, id + PIN). Wrong PINs count in a sliding window that
// a right PIN does not clear (docs/security.md "The on-call PIN").
export function createOncallPins(redis: RedisClient, secret: string) {
  const checkOncallPin = defineScript(redis, new URL('./lua/check-oncall-pin-2.lua', import.meta.url), decodeCheck);
  const hashOf = (sysadminId: string, pin: string): string =>
    createHmac('sha256', secret).update(`oncall:${sysadminId}:${pin}`).digest('base64url');

  return {
    limits,
    /** A new PIN starts a new window: the guesses at the old one tell nothing about it. */
    async set(sysadminId: string, pin: string): Promise<void> {
      await withRedis(() =>
        redis
          .multi()
          .hset(keys.oncallPins, sysadminId, hashOf(sysadminId, pin))
          .del(keys.oncallPinFailureTimes(sysadminId))
          .exec(),
      );
    },
    /** Whether each sysadmin has an on-call PIN set, in order, read with one command. */
    async have(sysadminIds: string[]): Promise<boolean[]> {
      if (sysadminIds.length === 0) return [];
      return (await withRedis(() => redis.hmget(keys.oncallPins, ...sysadminIds))).map((hash) => hash !== null);
    },
    /** Wrong PINs of each sysadmin within the window ending at `now`, read with one round. */
    async failures(sysadminIds: string[], now: number): Promise<number[]> {
      const from = `(${String(now - limits.windowMs)}`;
      const counts = await Promise.all(
        sysadminIds.map((id) => withRedis(() => redis.zcount(keys.oncallPinFailureTimes(id), from, '+inf'))),
      );
      return counts.map(Number);
    },
    /** `now` is the domain clock: instances agree on it to seconds, nothing against a window of hours. */
    async check(sysadminId: string, pin: string, now: number): Promise<OncallPinCheck> {
      return checkOncallPin(
        [keys.oncallPins, keys.oncallPinFailureTimes(sysadminId)],
        [scriptDeadline(), sysadminId, hashOf(sysadminId, pin), limits.failuresPerWindow, limits.windowMs, now, `${String(now)}:${randomUUID()}`],
      );
    },
  };
}

export type OncallPins = ReturnType<typeof createOncallPins>;
