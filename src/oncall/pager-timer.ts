import type { Logger } from '../logger.js';
import type { Pager } from './pager.js';

/** Ticks the pager every `ms`, so a page not answered within the ring time moves on. Returns stop(). */
export function runPagerEvery(pager: Pager, ms: number, log: Logger): () => void {
  const timer = setInterval(() => {
    pager.tick().catch((error: unknown) => {
      log.warn({ err: error }, 'paging tick failed');
    });
  }, ms);
  return () => {
    clearInterval(timer);
  };
}
