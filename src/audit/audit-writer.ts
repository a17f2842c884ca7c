import type { RedisClient } from '../redis/connect-redis.js';
import { asNumber, defineScript } from '../redis/scripts.js';

interface Batch {
  cap: number;
  events: string[];
  settled: { resolve: () => void; reject: (error: unknown) => void }[];
}

/** How long an event written in the background may wait for others to share its command. */
const SOON_MS = 10;
/** Past this many events waiting, they are written at the next turn whatever the clock says. */
const SOON_AT_MOST = 256;

/**
 * One script call per stream for everything waiting, not one XADD per event: under load an audit write
 * costs a webhook a fraction of a command. An awaited event goes at the next turn of the event loop;
 * one written after the caller was answered waits up to SOON_MS for company.
 */
export function createAuditWriter(redis: RedisClient) {
  const appendAudit = defineScript(redis, new URL('./lua/append-audit-1.lua', import.meta.url), asNumber);
  let batches = new Map<string, Batch>();
  let waiting = 0;
  let scheduled: 'no' | 'next turn' | 'soon' = 'no';
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    const flushing = batches;
    batches = new Map();
    waiting = 0;
    scheduled = 'no';
    clearTimeout(timer);
    for (const [stream, batch] of flushing) {
      appendAudit([stream], [batch.cap, ...batch.events]).then(
        () => {
          for (const waiter of batch.settled) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of batch.settled) waiter.reject(error);
        },
      );
    }
  }

  function schedule(when: 'next turn' | 'soon'): void {
    if (when === 'next turn' || waiting >= SOON_AT_MOST) {
      if (scheduled === 'next turn') return;
      clearTimeout(timer);
      scheduled = 'next turn';
      setImmediate(flush);
      return;
    }
    if (scheduled !== 'no') return;
    scheduled = 'soon';
    timer = setTimeout(flush, SOON_MS);
  }

  return {
    /** Resolves once `event` (JSON) is in `stream`: written at the next turn, or within SOON_MS when `soon`. */
    append(stream: string, cap: number, event: string, when: 'next turn' | 'soon'): Promise<void> {
      const batch = batches.get(stream) ?? { cap, events: [], settled: [] };
      batches.set(stream, batch);
      batch.events.push(event);
      waiting += 1;
      schedule(when);
      return new Promise((resolve, reject) => {
        batch.settled.push({ resolve, reject });
      });
    },
  };
}
