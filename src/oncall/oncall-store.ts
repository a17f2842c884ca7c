import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { oncallListSchema, type Sysadmin } from './oncall-schema.js';

/** The escalation list, one JSON value: it is small and always read whole. */
export function createOncallStore(redis: RedisClient) {
  return {
    async list(): Promise<Sysadmin[]> {
      const json = await withRedis(() => redis.get(keys.oncall));
      return json === null ? [] : oncallListSchema.parse(JSON.parse(json));
    },
    async replace(list: Sysadmin[]): Promise<void> {
      await withRedis(() => redis.set(keys.oncall, JSON.stringify(list)));
    },
  };
}

export type OncallStore = ReturnType<typeof createOncallStore>;
