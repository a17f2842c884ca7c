import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * Limits on guessing: failed PINs per caller number (then the number is turned
 * away for a while) and a line-wide alarm when failures across all numbers
 * exceed a rate, which tightens every call to one attempt until it subsides.
 * Times come from the injected clock, so tests can move through an hour.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * KEYS: failures(number), lockout(number)  ARGV: now, windowMs, limit, lockoutMs, member
 * Adds a failure, forgets those older than the window, and locks the number out
 * when the limit is reached. Returns {failuresInWindow, lockedOut (0/1)}.
 */
export const RECORD_CALLER_FAILURE_LUA = `
local now, window, limit, lockout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('PEXPIRE', KEYS[1], window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  redis.call('SET', KEYS[2], now + lockout, 'PX', lockout)
  redis.call('DEL', KEYS[1])
  return {count, 1}
end
return {count, 0}
`;

/** KEYS: failures(minute)  ARGV: ttlMs. Counts one failure on the line; returns this minute's count. */
export const COUNT_LINE_FAILURE_LUA = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

export interface LineStatus {
  lockedOut: boolean;
  /** One more failed PIN from this number reaches the limit and locks it out. */
  lastChance: boolean;
  /** The line-wide alarm is on: too many failures across all numbers. */
  alarm: boolean;
}

export function createAbuseLimits(deps: { redis: RedisClient; clock: Clock; policy: Policy; log: Logger; metrics?: Metrics }) {
  const { redis, clock, policy, log, metrics } = deps;
  const minuteOf = (at: number) => Math.floor(at / MINUTE_MS);
  const threshold = policy.line.alarmFailuresPerMinute;

  return {
    /** Whether `from` is locked out and whether the line alarm is on (one round trip). */
    async status(from: string): Promise<LineStatus> {
      const now = clock.now();
      const minute = minuteOf(now);
      const [lockedUntil, failures, counts] = await withRedis(() =>
        Promise.all([
          redis.get(keys.callerLockout(from)),
          redis.zcount(keys.callerFailures(from), `(${String(now - HOUR_MS)}`, '+inf'),
          redis.mget(keys.lineFailures(minute), keys.lineFailures(minute - 1)),
        ]),
      );
      const alarm = counts.some((count) => Number(count ?? 0) >= threshold);
      metrics?.lineAlarm.set(alarm ? 1 : 0);
      return {
        lockedOut: lockedUntil !== null && Number(lockedUntil) > now,
        lastChance: failures + 1 >= policy.callers.failedPinsPerHour,
        alarm,
      };
    },

    /**
     * Counts a failed PIN against the number (locking it out at the limit) and the line.
     * The caller decides what to say from `status().lastChance`, read before, so this
     * write runs alongside the others of the step rather than before them.
     */
    async recordFailedPin(from: string, attemptId: string): Promise<void> {
      const now = clock.now();
      const [, failuresThisMinute] = await withRedis(() =>
        Promise.all([
          redis.recordCallerFailure(
            keys.callerFailures(from),
            keys.callerLockout(from),
            now,
            HOUR_MS,
            policy.callers.failedPinsPerHour,
            policy.callers.lockoutSeconds * 1000,
            // Unique per attempt: a retried webhook of the same attempt is not counted twice.
            attemptId,
          ),
          redis.countLineFailure(keys.lineFailures(minuteOf(now)), 3 * MINUTE_MS).then(Number),
        ]),
      );
      if (failuresThisMinute >= threshold) metrics?.lineAlarm.set(1);
      if (failuresThisMinute === threshold) {
        log.error({ failuresThisMinute, threshold }, 'line alarm: PIN failures across the line exceed the threshold');
      }
    },
  };
}

export type AbuseLimits = ReturnType<typeof createAbuseLimits>;
