import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RotaSync } from './rota-sync.js';

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
