import type { Pager } from './pager.js';

/** Ticks the pager every `ms`, so a page not answered within the ring time moves on. Returns stop(). */
export function runPagerEvery(pager: Pager, ms: number): () => void {
  const timer = setInterval(pager.requestTick, ms);
  return () => {
    clearInterval(timer);
  };
}
