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

// Twilio keeps a queue until it is deleted, and only an empty one can be: each caller's goes once they left.
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
    /** Empty callers' queues whose <Enqueue> action never came (a Dial to a missing one hears they left). */
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
