import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { defineScript, type Decoder } from '../redis/scripts.js';
import { entryTime, eventKeys } from './event-keys.js';

export interface ClaimedEvent {
  entryId: string;
  attempt: number;
  /** The event exactly as appended: the bytes that are signed and sent. */
  body: string;
}

export type Settled = 'stale' | 'delivered' | 'retry' | 'dead';

export const DEFAULT_MAX_DEAD_LETTERS = 10_000;

// {now, {entry id, attempt, event JSON}...}
const decodeClaimed: Decoder<ClaimedEvent[]> = (reply) => {
  const [, ...claimed] = Array.isArray(reply) ? (reply as unknown[]) : [];
  return claimed.flatMap((item) => {
    if (!Array.isArray(item)) return [];
    const [entryId, attempt, body] = item as unknown[];
    return [{ entryId: String(entryId), attempt: Number(attempt), body: String(body) }];
  });
};

export function createOutboxQueue(redis: RedisClient, options: { maxDeadLetters?: number } = {}) {
  const claimDueEvents = defineScript(redis, new URL('./lua/claim-due-events-3.lua', import.meta.url), decodeClaimed);
  const settleEventAttempt = defineScript(redis, new URL('./lua/settle-event-attempt-5.lua', import.meta.url), (reply) => String(reply) as Settled);
  const maxDead = options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS;

  return {
    /** Up to `max` due events, each leased to the caller for `leaseMs`. */
    async claimDue(leaseMs: number, max: number): Promise<ClaimedEvent[]> {
      return claimDueEvents([eventKeys.outbox, eventKeys.due, eventKeys.tries], [leaseMs, max]);
    },

    async settle(
      claimed: ClaimedEvent,
      outcome: { delivered: true } | { delivered: false; retryInMs: number; retryForMs: number; result: string },
    ): Promise<Settled> {
      const failure = outcome.delivered ? ['delivered', 0, 0, ''] : ['failed', Math.round(outcome.retryInMs), outcome.retryForMs, outcome.result];
      return settleEventAttempt(
        [eventKeys.outbox, eventKeys.due, eventKeys.tries, eventKeys.dead, eventKeys.deadOrder],
        [claimed.entryId, claimed.attempt, ...failure, maxDead],
      );
    },

    /** Undelivered events, and how long the oldest has waited (Redis' clock): outbox size and delivery lag. */
    async backlog(): Promise<{ size: number; oldestAgeMs: number; dropped: number }> {
      const [size, oldest, time, dropped] = await withRedis(() =>
        Promise.all([
          redis.xlen(eventKeys.outbox),
          redis.xrange(eventKeys.outbox, '-', '+', 'COUNT', 1),
          redis.time(),
          redis.get(eventKeys.dropped),
        ]),
      );
      const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
      const first = oldest[0]?.[0];
      return { size, oldestAgeMs: first === undefined ? 0 : Math.max(0, now - entryTime(first)), dropped: Number(dropped ?? 0) };
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
