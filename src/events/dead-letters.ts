import type { Result } from 'ioredis';
import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { eventSchema } from './event-catalogue.js';
import { eventKeys, REDIS_NOW_LUA } from './event-keys.js';

/**
 * Puts a dead letter back in the outbox as a new entry, due now, with a fresh
 * retry window; the event (and its id) is unchanged, so a receiver that did get
 * it before drops the repeat. Guarantee: the letter is either still dead or
 * back in the outbox, never both, never neither.
 * KEYS: outbox, due, dead, deadOrder   ARGV: event id
 * Returns the new entry id, or false when there is no such dead letter.
 */
const REDELIVER_LUA = `${REDIS_NOW_LUA}
local record = redis.call('HGET', KEYS[3], ARGV[1])
if not record then return false end
local letter = cjson.decode(record)
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'type', letter.type, 'event', letter.event)
redis.call('ZADD', KEYS[2], now, entry)
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return entry
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    redeliverDeadLetter(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

const storedLetter = z.object({
  event: z.string(),
  attempts: z.number(),
  lastResult: z.string(),
  appendedAt: z.number(),
  deadAt: z.number(),
});

export const deadLetterSchema = z.object({
  event: eventSchema,
  attempts: z.number().int().describe('Delivery attempts made'),
  lastResult: z.string().describe('What the last attempt got, e.g. http_500, timeout, network_error, http_302'),
  firstQueuedAt: z.iso.datetime().describe('When the event entered the outbox (or was last redelivered)'),
  deadAt: z.iso.datetime(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function createDeadLetters(redis: RedisClient) {
  redis.defineCommand('redeliverDeadLetter', { numberOfKeys: 4, lua: REDELIVER_LUA });

  return {
    count: (): Promise<number> => withRedis(() => redis.zcard(eventKeys.deadOrder)),

    /** The newest `limit` dead letters, newest first. */
    async list(limit: number): Promise<{ total: number; deadLetters: DeadLetter[] }> {
      const [total, ids] = await withRedis(() =>
        Promise.all([redis.zcard(eventKeys.deadOrder), redis.zrevrange(eventKeys.deadOrder, 0, limit - 1)]),
      );
      const records = ids.length === 0 ? [] : await withRedis(() => redis.hmget(eventKeys.dead, ...ids));
      const deadLetters = records.flatMap((record) => {
        const stored = storedLetter.safeParse(JSON.parse(record ?? 'null'));
        if (!stored.success) return [];
        const event = eventSchema.safeParse(JSON.parse(stored.data.event));
        if (!event.success) return [];
        const { attempts, lastResult, appendedAt, deadAt } = stored.data;
        return [{ event: event.data, attempts, lastResult, firstQueuedAt: iso(appendedAt), deadAt: iso(deadAt) }];
      });
      return { total, deadLetters };
    },

    /** Back to the outbox; false when no dead letter has that event id. */
    async redeliver(eventId: string): Promise<boolean> {
      const reply = await withRedis(() =>
        redis.redeliverDeadLetter(eventKeys.outbox, eventKeys.due, eventKeys.dead, eventKeys.deadOrder, eventId),
      );
      return typeof reply === 'string';
    },
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;
