import type { Metrics } from './metrics.js';
import { scrapedGauges } from './scraped-gauges.js';

/** What the line stands at: read from Redis, so every instance reports the same line-wide values. */
export interface LineStores {
  waiting: { count(): Promise<number> };
  oncall: { list(): Promise<readonly { id: string }[]> };
  busy: { all(now: number): Promise<ReadonlyMap<string, unknown>> };
  now: () => number;
}

/**
 * Callers waiting, sysadmins on the rota, and those free (not held by a page or a call): alerting
 * on "callers wait and nobody is free" needs both sides at one moment, which counters cannot give.
 */
export function addLineGauges(metrics: Metrics, stores: LineStores): void {
  const gauge = scrapedGauges(
    metrics.registry,
    async () => {
      const [waiting, rota, busy] = await Promise.all([stores.waiting.count(), stores.oncall.list(), stores.busy.all(stores.now())]);
      return { waiting, onRota: rota.length, free: rota.filter((sysadmin) => !busy.has(sysadmin.id)).length };
    },
    { waiting: 0, onRota: 0, free: 0 },
  );
  gauge('callgate_callers_waiting', 'Verified callers waiting in the queue for a sysadmin, line-wide', (s) => s.waiting);
  gauge('callgate_oncall_sysadmins', 'Sysadmins on the on-call rota', (s) => s.onRota);
  gauge('callgate_sysadmins_free', 'Sysadmins on the rota not held by a page or a call (alert when callers wait and this stays 0)', (s) => s.free);
}
