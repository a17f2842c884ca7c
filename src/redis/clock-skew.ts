import type { Logger } from '../logger.js';
import type { RedisClient } from './connect-redis.js';

// Scripts refuse to run after their deadline by Redis' clock (see deadline.ts); a skew
// this large eats most of the margin and makes writes fail as if Redis were slow.
const WARN_SKEW_MS = 200;

/** Compares Redis' clock with ours and warns when they disagree. */
export async function checkClockSkew(redis: RedisClient, log: Logger): Promise<void> {
  const before = Date.now();
  const [seconds, micros] = await redis.time();
  const after = Date.now();
  const skew = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (before + after) / 2;
  if (Math.abs(skew) > WARN_SKEW_MS) {
    log.warn({ skewMs: Math.round(skew) }, 'redis clock differs from this host; synchronise clocks (NTP)');
  }
}
