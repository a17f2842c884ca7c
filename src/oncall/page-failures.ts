import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';

// Its own hash tag: each command touches one key.
const KEY = 'callgate:{paging}:failures';

/**
 * Pages that failed in a row for each waiting caller (Twilio refused or did not answer
 * the REST call). When every sysadmin on the rota has failed in a row, nobody can be
 * paged for that caller, and they are offered voicemail at once instead of waiting.
 */
export function createPageFailures(redis: RedisClient) {
  return {
    async failed(callSid: string): Promise<void> {
      await withRedis(() => redis.hincrby(KEY, callSid, 1));
    },
    /** A page went out, or the caller left: start counting afresh (and forget them). */
    async reset(callSid: string): Promise<void> {
      await withRedis(() => redis.hdel(KEY, callSid));
    },
    async inARow(callSid: string): Promise<number> {
      return Number((await withRedis(() => redis.hget(KEY, callSid))) ?? 0);
    },
  };
}

export type PageFailures = ReturnType<typeof createPageFailures>;
