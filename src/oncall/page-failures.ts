import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';

// Its own hash tag: each command touches one key.
const KEY = 'callgate:{paging}:failures';

// Pages that failed in a row for each waiting caller: when all the rota failed, voicemail is offered at once.
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
