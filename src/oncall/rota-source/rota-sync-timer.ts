import type { Logger } from '../../logger.js';
import { RotaUnreadableError, type RotaSync } from './rota-sync.js';

/**
 * Syncs the rota from its source at start and every `ms` after. A read that fails is
 * already logged and alarmed by the sync; what else reaches here is Redis failing the
 * write. Returns stop().
 */
export function runRotaSyncEvery(rotaSync: Pick<RotaSync, 'sync'>, ms: number, log: Logger): () => void {
  const syncNow = (): void => {
    rotaSync.sync().catch((error: unknown) => {
      if (!(error instanceof RotaUnreadableError)) log.warn({ err: error }, 'rota sync failed');
    });
  };
  syncNow();
  const timer = setInterval(syncNow, ms);
  return () => {
    clearInterval(timer);
  };
}
