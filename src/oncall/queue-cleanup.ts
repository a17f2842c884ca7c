import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { OWN_QUEUE_PREFIX } from './own-queue.js';
import type { Dialer } from './twilio-dialer.js';

// A deletion that failed is tried again after this, for at most a day.
const RETRY_MS = 30_000;
// Queues left behind (their <Enqueue> action never reached callgate) are swept this often, by one instance.
const SWEEP_EVERY_MS = 10 * 60_000;
const SWEEP_LOCK = 'callgate:{sweep}:own-queues';
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
  // The first sweep comes a sweep interval after the first tick: a restart storm does not list queues at once.
  let lastSweepAt: number | undefined;

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
    /**
     * Deletes callers' queues that are empty but still exist, e.g. when callgate was down as the
     * caller left and the <Enqueue> action never came. A sysadmin dialling one just then hears the
     * caller has left (Dial "will post an error status to its action URL" for a missing queue).
     */
    async sweep(now: number): Promise<number> {
      lastSweepAt ??= now;
      if (now - lastSweepAt < SWEEP_EVERY_MS) return 0;
      lastSweepAt = now;
      const mine = await withRedis(() => redis.set(SWEEP_LOCK, '1', 'PX', SWEEP_EVERY_MS, 'NX'));
      if (mine === null) return 0;
      const left = (await dialer.listQueues()).filter((queue) => queue.name.startsWith(OWN_QUEUE_PREFIX) && queue.size === 0);
      await Promise.all(left.map((queue) => attempt(queue.sid, now, now)));
      if (left.length > 0) log.info({ queues: left.length }, 'swept empty caller queues left behind in Twilio');
      return left.length;
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
