import type { Logger } from '../logger.js';
import type { RedisClient } from './connect-redis.js';

// Scripts refuse to run after their deadline by Redis' clock (see deadline.ts); a skew
// this large eats most of the margin and makes writes fail as if Redis were slow.
export const WARN_SKEW_MS = 200;

/** How far Redis' clock is ahead of ours (negative: behind), in ms, against the middle of the round trip. */
export async function measureClockSkew(redis: RedisClient): Promise<number> {
  const before = Date.now();
  const [seconds, micros] = await redis.time();
  const after = Date.now();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (before + after) / 2;
}

export async function checkClockSkew(redis: RedisClient, log: Logger): Promise<void> {
  const skew = await measureClockSkew(redis);
  if (Math.abs(skew) > WARN_SKEW_MS) {
    log.warn({ skewMs: Math.round(skew) }, 'redis clock differs from this host; synchronise clocks (NTP)');
  }
}
