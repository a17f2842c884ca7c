import type { Clock } from '../clock.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

const MINUTE_MS = 60_000;

/**
 * The line alarm as the guess check decides it: failed PINs in this minute or the last, whichever
 * is busier. Read from Redis, not the gauge, which moves only when this instance sees a miss.
 */
export function createLineAlarmReader(deps: { redis: RedisClient; clock: Clock; threshold: number }) {
  const { redis, clock, threshold } = deps;
  return async () => {
    const minute = Math.floor(clock.now() / MINUTE_MS);
    const counts = await withRedis(() => redis.mget(keys.lineFailures(minute), keys.lineFailures(minute - 1)));
    const failuresPerMinute = Math.max(0, ...counts.map((count) => Number(count ?? 0)));
    return { alarm: failuresPerMinute >= threshold, failuresPerMinute, alarmThreshold: threshold };
  };
}
