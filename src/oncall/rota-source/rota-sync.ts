import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Sysadmin } from '../oncall-schema.js';
import type { OncallStore } from '../oncall-store.js';
import type { LeftOut, RotaReader, RotaSourceName } from './rota-source.js';

/**
 * Keeps callgate's rota in step with the source: read, map, and write with the store's
 * `replace` only when the list differs from the one stored. The comparison and the write
 * are tied by the revision read (If-Match), so instances syncing at once write a new list
 * once and leave the revision alone after that: any instance may sync, none needs a lease.
 *
 * A read that fails, or that names nobody callgate can page, changes nothing: the last good
 * rota stays (paging the last known sysadmins beats paging nobody) and the alarm is up
 * until a read succeeds: an error line, `callgate_rota_source_failing` 1, and
 * `rota_source_unreadable` in /readyz's attention.
 */
export type SyncOutcome = 'changed' | 'unchanged';

export interface RotaSyncResult {
  source: RotaSourceName;
  outcome: SyncOutcome;
  /** The rota's revision after the sync (its ETag is "r<revision>"). */
  revision: number;
  sysadmins: number;
  leftOut: LeftOut[];
}

export interface RotaSourceStatus {
  source: RotaSourceName;
  /** Why the last read failed while it is still failing; undefined once a read succeeds. */
  failing: string | undefined;
}

/** The source could not be read (or named nobody to page); the last good rota stays. */
export class RotaUnreadableError extends AppError {
  constructor(source: RotaSourceName, reason: string) {
    super(502, 'rota_source_unreadable', `The rota could not be read from ${source} (${reason}); the last good rota stays.`);
  }
}

// Each attempt loses only to another write in between; three in a row is a rota changing under us.
const WRITE_ATTEMPTS = 3;

const rotaKey = (list: readonly Sysadmin[]): string => JSON.stringify(list.map(({ id, name, phone }) => [id, name, phone]));
const sameRota = (a: readonly Sysadmin[], b: readonly Sysadmin[]): boolean => rotaKey(a) === rotaKey(b);

export function createRotaSync(deps: { reader: RotaReader; oncall: OncallStore; log: Logger; metrics: Metrics }) {
  const { reader, oncall, log, metrics } = deps;
  const source = reader.source;
  let failing: string | undefined;
  // Left-out warnings are repeated only when who is left out changes, not every interval.
  let leftOutSeen = '';
  let running: Promise<unknown> = Promise.resolve();

  async function write(list: Sysadmin[]): Promise<{ outcome: SyncOutcome; revision: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await oncall.read();
      if (sameRota(current.list, list)) return { outcome: 'unchanged', revision: current.revision };
      try {
        return { outcome: 'changed', revision: await oncall.replace(list, [current.revision]) };
      } catch (error) {
        if (!(error instanceof AppError && error.status === 412) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  function unreadable(reason: string): RotaUnreadableError {
    if (failing === undefined) metrics.rotaSourceFailing.set(1);
    failing = reason;
    metrics.rotaSyncs.inc({ source, result: 'unreadable' });
    log.error({ source, reason }, 'rota source unreadable: the last good rota stays');
    return new RotaUnreadableError(source, reason);
  }

  function warnLeftOut(leftOut: LeftOut[]): void {
    const seen = JSON.stringify(leftOut);
    if (seen === leftOutSeen) return;
    leftOutSeen = seen;
    for (const { id, reason } of leftOut) log.warn({ source, sysadminId: id, reason }, 'on call at the rota source but left off the rota: callgate cannot page them');
  }

  async function syncOnce(): Promise<RotaSyncResult> {
    let read;
    try {
      read = await reader.read();
    } catch (error) {
      throw unreadable(error instanceof Error ? error.message : 'failed');
    }
    warnLeftOut(read.leftOut);
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
    source,
    /** One sync, after any in flight (the timer's and an operator's never interleave). */
    sync(): Promise<RotaSyncResult> {
      const next = running.then(syncOnce);
      running = next.catch(() => undefined);
      return next;
    },
    status(): RotaSourceStatus {
      return { source, failing };
    },
  };
}

export type RotaSync = ReturnType<typeof createRotaSync>;
