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
 * Appends audit events to their streams, one script call per stream for everything waiting,
 * instead of one XADD per event. An event someone awaits is written at the next turn of the
 * event loop (with whatever else waits); an event written in the background (after the
 * caller was answered) waits up to SOON_MS for company, so that under load, and one call at
 * a time, audit writes cost a fraction of a command and a socket write per webhook. Each
 * promise settles only when its events are in Redis (or failed to be).
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
      let batch = batches.get(stream);
      if (batch === undefined) {
        batch = { cap, events: [], settled: [] };
        batches.set(stream, batch);
      }
      batch.events.push(event);
      waiting += 1;
      schedule(when);
      const pending = batch;
      return new Promise((resolve, reject) => {
        pending.settled.push({ resolve, reject });
      });
    },
  };
}
