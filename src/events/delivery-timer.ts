import type { Logger } from '../logger.js';
import type { EventDelivery } from './event-delivery.js';

/**
 * On every instance (the leases keep them apart). With work, it claims again as soon as an attempt
 * ends, so a backlog drains at the receiver's pace; else it looks every `ms`. stop() waits for the
 * attempts started, so SIGTERM does not leave a delivered event unrecorded, to be sent again.
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
