import type { Logger } from '../logger.js';
import type { EventDelivery } from './event-delivery.js';

/**
 * Runs delivery every `ms`, like the pager timer: any instance may, the leases keep
 * them apart. stop() ends the timer and waits for attempts already started (each
 * ends within the send timeout), so SIGTERM does not leave a delivered event
 * unrecorded and sent again.
 */
export function runEventDeliveryEvery(delivery: EventDelivery, ms: number, log: Logger): () => Promise<void> {
  let claiming = false;
  const timer = setInterval(() => {
    // One claim at a time per instance; sends run on without holding the next tick.
    if (claiming) return;
    claiming = true;
    delivery
      .tick()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'event delivery tick failed');
      })
      .finally(() => {
        claiming = false;
      });
  }, ms);
  return async () => {
    clearInterval(timer);
    await delivery.drain();
  };
}
