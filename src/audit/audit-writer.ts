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
  // A flush is due at the next turn, within SOON_MS, or both; whichever runs first cancels the other.
  let nextTurn: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    const flushing = batches;
    batches = new Map();
    waiting = 0;
    clearImmediate(nextTurn);
    clearTimeout(timer);
    nextTurn = undefined;
    timer = undefined;
    for (const [stream, { cap, events, settled }] of flushing) {
      const written = appendAudit([stream], [cap, ...events]);
      for (const { resolve, reject } of settled) void written.then(resolve, reject);
    }
  }

  return {
    /** Resolves once `event` (JSON) is in `stream`: written at the next turn, or within SOON_MS when `soon`. */
    append(stream: string, cap: number, event: string, when: 'next turn' | 'soon'): Promise<void> {
      const batch = batches.get(stream) ?? { cap, events: [], settled: [] };
      batches.set(stream, batch);
      batch.events.push(event);
      waiting += 1;
      if (when === 'next turn' || waiting >= SOON_AT_MOST) nextTurn ??= setImmediate(flush);
      else timer ??= setTimeout(flush, SOON_MS);
      return new Promise((resolve, reject) => {
        batch.settled.push({ resolve, reject });
      });
    },
  };
}
