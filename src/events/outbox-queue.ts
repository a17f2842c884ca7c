import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { defineScript } from '../redis/scripts.js';
import { eventKeys } from './event-keys.js';

const MAX_DEAD_LETTERS = 10_000;

const asOutcome = (reply: unknown) => reply as 'stale' | 'delivered' | 'retry' | 'dead';

// `body` is the event exactly as appended: the bytes that are signed and sent.
const decodeClaimed = (reply: unknown) =>
  (reply as [string, number, string][]).map(([entryId, attempt, body]) => ({ entryId, attempt, body }));
export type ClaimedEvent = ReturnType<typeof decodeClaimed>[number];

export function createOutboxQueue(redis: RedisClient) {
  const lua = (file: string) => new URL(`./lua/${file}`, import.meta.url);
  const claimDueEvents = defineScript(redis, lua('claim-due-events-3.lua'), decodeClaimed);
  const settleEventAttempt = defineScript(redis, lua('settle-event-attempt-5.lua'), asOutcome);

  return {
    /** Up to `max` due events, each leased to the caller for `leaseMs`. */
    async claimDue(leaseMs: number, max: number): Promise<ClaimedEvent[]> {
      return claimDueEvents([eventKeys.outbox, eventKeys.due, eventKeys.tries], [leaseMs, max]);
    },

    /** `result` is 'delivered' or why the attempt failed; a failure is retried in `retryInMs`, or dies. */
    async settle(claimed: ClaimedEvent, result: string, retryInMs: number, retryForMs: number) {
      return settleEventAttempt(
        [eventKeys.outbox, eventKeys.due, eventKeys.tries, eventKeys.dead, eventKeys.deadOrder],
        [claimed.entryId, claimed.attempt, result, Math.round(retryInMs), retryForMs, MAX_DEAD_LETTERS],
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
      // An entry id ("1712345678901-0") starts with when Redis appended it.
      const first = oldest[0]?.[0].split('-')[0];
      const oldestAgeMs = first === undefined ? 0 : Math.max(0, now - Number(first));
      return { size, oldestAgeMs, dropped: Number(dropped ?? 0) };
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
