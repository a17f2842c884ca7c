import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { defineScript } from '../redis/scripts.js';
import { eventSchema } from './event-catalogue.js';
import { eventKeys } from './event-keys.js';

// As lua/settle-event-attempt-5.lua stores it.
const storedLetter = z.object({
  event: z.string().transform((json): unknown => JSON.parse(json)).pipe(eventSchema),
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
  // The new entry id, or false when there is no such dead letter.
  const redeliverDeadLetter = defineScript(redis, new URL('./lua/redeliver-dead-letter-4.lua', import.meta.url), (reply) => typeof reply === 'string');

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
        const { appendedAt, deadAt, ...letter } = stored.data;
        return [{ ...letter, firstQueuedAt: iso(appendedAt), deadAt: iso(deadAt) }];
      });
      return { total, deadLetters };
    },

    /** Back to the outbox; false when no dead letter has that event id. */
    redeliver: (eventId: string): Promise<boolean> =>
      redeliverDeadLetter([eventKeys.outbox, eventKeys.due, eventKeys.dead, eventKeys.deadOrder], [eventId]),
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;
