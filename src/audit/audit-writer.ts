import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';

// KEYS[1]: a stream; ARGV[1]: its approximate cap (MAXLEN ~ keeps trimming cheap); ARGV[2..]: events, oldest first.
const APPEND_AUDIT_LUA = `
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[i])
end
return #ARGV - 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    appendAudit(stream: string, cap: number, ...events: string[]): Result<number, Context>;
  }
}

interface Batch {
  cap: number;
  events: string[];
  settled: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Appends audit events to their streams, one command per stream for everything recorded in
 * the same turn of the event loop instead of one XADD per event: with many calls at once the
 * line-wide stream gets one script call per turn. A write waits at most that one turn, and
 * each caller's promise still settles only when its events are in Redis (or failed to be).
 */
export function createAuditWriter(redis: RedisClient) {
  redis.defineCommand('appendAudit', { numberOfKeys: 1, lua: APPEND_AUDIT_LUA });
  let batches = new Map<string, Batch>();

  function flush(): void {
    const flushing = batches;
    batches = new Map();
    for (const [stream, batch] of flushing) {
      withRedis(() => redis.appendAudit(stream, batch.cap, ...batch.events)).then(
        () => {
          for (const waiter of batch.settled) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of batch.settled) waiter.reject(error);
        },
      );
    }
  }

  return {
    /** Resolves once `event` (JSON) is in `stream`. */
    append(stream: string, cap: number, event: string): Promise<void> {
      if (batches.size === 0) setImmediate(flush);
      let batch = batches.get(stream);
      if (batch === undefined) {
        batch = { cap, events: [], settled: [] };
        batches.set(stream, batch);
      }
      batch.events.push(event);
      const pending = batch;
      return new Promise((resolve, reject) => {
        pending.settled.push({ resolve, reject });
      });
    },
  };
}
