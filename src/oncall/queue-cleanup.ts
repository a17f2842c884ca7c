import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import type { Dialer } from './twilio-dialer.js';

// A deletion that failed is tried again after this, for at most a day.
const RETRY_MS = 30_000;
const GIVE_UP_MS = 86_400_000;
const PER_TICK = 10;

/**
 * Deletes each caller's own queue once the caller has left it: Twilio keeps queues until
 * they are deleted ("Queues persist. To optimize fetch operations, inactive Queues should
 * be deleted": https://www.twilio.com/docs/voice/api/queue-resource), and only an empty
 * queue can be deleted. A failed deletion is kept in a sorted set by retry time and
 * retried from the pager's tick, a few at a time.
 */
export function createQueueCleanup(deps: { redis: RedisClient; dialer: Dialer; log: Logger }) {
  const { redis, dialer, log } = deps;

  // Members are "<QueueSid>|<first tried at>", scored by when to try next.
  async function attempt(queueSid: string, firstTriedAt: number, now: number): Promise<void> {
    const member = `${queueSid}|${String(firstTriedAt)}`;
    try {
      await dialer.deleteQueue(queueSid);
      await withRedis(() => redis.zrem(keys.queuesToDelete, member));
    } catch (error) {
      const giveUp = now - firstTriedAt > GIVE_UP_MS;
      log.warn({ err: error, queueSid, giveUp }, 'could not delete a caller queue in Twilio');
      await withRedis(() =>
        giveUp ? redis.zrem(keys.queuesToDelete, member) : redis.zadd(keys.queuesToDelete, now + RETRY_MS, member),
      );
    }
  }

  return {
    /** The caller left their queue (the <Enqueue> action): delete it, now or later. */
    async callerLeft(queueSid: string, now: number): Promise<void> {
      await attempt(queueSid, now, now);
    },
    /** Retries deletions that are due. */
    async retryDue(now: number): Promise<void> {
      const due = await withRedis(() => redis.zrangebyscore(keys.queuesToDelete, '-inf', now, 'LIMIT', 0, PER_TICK));
      await Promise.all(
        due.map((member) => {
          const [queueSid = '', firstTriedAt = '0'] = member.split('|');
          return attempt(queueSid, Number(firstTriedAt), now);
        }),
      );
    },
  };
}

export type QueueCleanup = ReturnType<typeof createQueueCleanup>;
