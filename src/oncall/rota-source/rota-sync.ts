import type { RotaSourceConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Sysadmin } from '../oncall-schema.js';
import type { OncallStore } from '../oncall-store.js';
import { createOpsgenieReader } from './opsgenie-reader.js';
import { createPagerDutyReader } from './pagerduty-reader.js';
import type { RotaReader } from './rota-source.js';

/**
 * Keeps callgate's rota in step with the source. A list that differs from the stored one is written
 * tied to the revision read (If-Match), so instances syncing at once write it once, with no lease.
 * A read that fails, or names nobody callgate can page, changes nothing: the last good rota stays
 * (paging the last known sysadmins beats paging nobody) and the alarm is up until a read succeeds.
 */

/** The reader of the configured source; undefined for the built-in rota (PUT /v1/oncall). */
export function rotaReaderOf(config: RotaSourceConfig): RotaReader | undefined {
  if (config.kind === 'pagerduty') return createPagerDutyReader(config);
  if (config.kind === 'opsgenie') return createOpsgenieReader(config);
  return undefined;
}

// Each attempt loses only to another write in between; three in a row is a rota changing under us.
const WRITE_ATTEMPTS = 3;

const rotaKey = (list: readonly Sysadmin[]): string => JSON.stringify(list.map(({ id, name, phone }) => [id, name, phone]));

export function createRotaSync(deps: { reader: RotaReader; oncall: OncallStore; log: Logger; metrics: Metrics }) {
  const { reader, oncall, log, metrics } = deps;
  const source = reader.source;
  // Why the last read failed, while reads still fail.
  let failing: string | undefined;
  // Left-out warnings are repeated only when who is left out changes, not every interval.
  let leftOutSeen = '';
  let running: Promise<unknown> = Promise.resolve();

  async function write(list: Sysadmin[]): Promise<{ outcome: 'changed' | 'unchanged'; revision: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await oncall.read();
      if (rotaKey(current.list) === rotaKey(list)) return { outcome: 'unchanged', revision: current.revision };
      try {
        return { outcome: 'changed', revision: await oncall.replace(list, [current.revision]) };
      } catch (error) {
        if (!(error instanceof AppError && error.status === 412) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  function unreadable(reason: string): AppError {
    if (failing === undefined) metrics.rotaSourceFailing.set(1);
    failing = reason;
    metrics.rotaSyncs.inc({ source, result: 'unreadable' });
    log.error({ source, reason }, 'rota source unreadable: the last good rota stays');
    const message = `The rota could not be read from ${source} (${reason}); the last good rota stays.`;
    return new AppError(502, 'rota_source_unreadable', message);
  }

  async function syncOnce() {
    let read;
    try {
      read = await reader.read();
    } catch (error) {
      throw unreadable(error instanceof Error ? error.message : 'failed');
    }
    if (JSON.stringify(read.leftOut) !== leftOutSeen) {
      leftOutSeen = JSON.stringify(read.leftOut);
      const message = 'on call at the rota source but left off the rota: callgate cannot page them';
      for (const { id, reason } of read.leftOut) log.warn({ source, sysadminId: id, reason }, message);
    }
    if (read.list.length === 0) throw unreadable('nobody on call there can be paged');
    const { outcome, revision } = await write(read.list);
    if (failing !== undefined) {
      failing = undefined;
      metrics.rotaSourceFailing.set(0);
      log.info({ source }, 'rota source readable again');
    }
    metrics.rotaSyncs.inc({ source, result: outcome });
    if (outcome === 'changed') log.info({ source, revision, sysadmins: read.list.length }, 'rota updated from its source');
    return { source, outcome, revision, sysadmins: read.list.length, leftOut: read.leftOut };
  }

  return {
    /** One sync, after any in flight (the timer's and an operator's never interleave). */
    sync(): ReturnType<typeof syncOnce> {
      const next = running.then(syncOnce);
      running = next.catch(() => undefined);
      return next;
    },
    status: () => ({ source, failing }),
  };
}

export type RotaSync = ReturnType<typeof createRotaSync>;

/**
 * Syncs the rota at start and every `ms` after; returns stop(). An unreadable source is already
 * logged and alarmed by the sync: what else reaches here is Redis failing the write.
 */
export function runRotaSyncEvery(rotaSync: Pick<RotaSync, 'sync'>, ms: number, log: Logger): () => void {
  const syncNow = (): void => {
    rotaSync.sync().catch((error: unknown) => {
      const unreadable = error instanceof AppError && error.code === 'rota_source_unreadable';
      if (!unreadable) log.warn({ err: error }, 'rota sync failed');
    });
  };
  syncNow();
  const timer = setInterval(syncNow, ms);
  return () => {
    clearInterval(timer);
  };
}
