import type { Logger } from '../logger.js';
import type { EventDelivery } from './event-delivery.js';

/**
 * Runs delivery like the pager timer: any instance may, the leases keep them apart.
 * While there is work it claims again as soon as an attempt ends (a backlog drains at
 * the receiver's pace, not one batch per tick); otherwise it looks every `ms`.
 * stop() ends the loop and waits for attempts already started (each ends within the
 * send timeout), so SIGTERM does not leave a delivered event unrecorded, to be sent again.
 */
export function runEventDeliveryEvery(delivery: EventDelivery, ms: number, log: Logger): () => Promise<void> {
  let stopped = false;
  // Read through a function: stop() changes it while the loop awaits.
  const running = (): boolean => !stopped;
  let wake: (() => void) | undefined;
  const pause = (waitFor: Promise<void>[]) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      void Promise.race(waitFor).then(wake);
    });

  const loop = (async () => {
    while (running()) {
      const claimed = await delivery.tick().catch((error: unknown) => {
        log.warn({ err: error }, 'event delivery tick failed');
        return 0;
      });
      if (!running()) break;
      await pause(claimed > 0 ? [delivery.anyEnded()] : []);
    }
  })();

  return async () => {
    stopped = true;
    wake?.();
    await loop;
    await delivery.drain();
  };
}
