import type { Logger } from '../logger.js';
import type { ClaimedEvent, OutboxQueue } from './outbox-queue.js';
import { SIGNATURE_HEADER, signatureHeader } from './event-signature.js';

/** How hard delivery tries. A send is cut short to end before its lease does. */
export interface DeliverySettings {
  sendTimeoutMs: number;
  leaseMs: number;
  firstRetryMs: number;
  maxRetryMs: number;
  /** After this long in the outbox, a failed event becomes a dead letter. */
  retryForMs: number;
  /** Attempts one instance has open at once. */
  maxInFlight: number;
}

/** Attempt results, the label of the deliveries metric. Every one but `delivered` is retried. */
export type AttemptResult = 'delivered' | 'http_3xx' | 'http_4xx' | 'http_5xx' | 'timeout' | 'network_error' | 'lease_lost';

// Time kept between this instance's own send deadline and the end of its lease: timer lateness, the abort itself.
const LEASE_MARGIN_MS = 1000;

/** Exponential backoff with "equal jitter": between half and all of min(max, first * 2^(n-1)). */
export function retryDelayMs(attempt: number, settings: DeliverySettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxRetryMs, settings.firstRetryMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

// By the status' first digit; anything else (5xx, or a status nobody sends) counts as http_5xx.
const byClass: Partial<Record<number, AttemptResult>> = { 2: 'delivered', 3: 'http_3xx', 4: 'http_4xx' };
const classify = (status: number): AttemptResult => byClass[Math.floor(status / 100)] ?? 'http_5xx';

/** POSTs `body` signed with `secret`, as every delivery attempt does; the answer's status. */
export async function postSigned(url: string, secret: string, body: string, timeoutMs: number, agent: string) {
  const signature = signatureHeader(secret, body, Math.floor(Date.now() / 1000));
  const headers = { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature, 'User-Agent': agent };
  // A redirect is not followed: the signed body would go to a host nobody configured.
  const signal = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  await res.body?.cancel();
  return res.status;
}

export function createEventDelivery(deps: {
  queue: OutboxQueue;
  target: { url: string; secret: string };
  settings: DeliverySettings;
  log: Logger;
  onAttempt?: (result: AttemptResult) => void;
}) {
  const { queue, target, settings, log } = deps;
  const inFlight = new Set<Promise<void>>();

  // Aborted before the lease can run out, counted from `claimedFrom` (just before the claim was
  // sent, so no later than Redis began it): while this sender runs, no other instance holds the event.
  async function send(claimed: ClaimedEvent, claimedFrom: number): Promise<AttemptResult> {
    const budget = Math.min(settings.sendTimeoutMs, claimedFrom + settings.leaseMs - LEASE_MARGIN_MS - Date.now());
    if (budget <= 0) return 'lease_lost';
    try {
      return classify(await postSigned(target.url, target.secret, claimed.body, budget, 'callgate-events/1'));
    } catch (error) {
      return error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network_error';
    }
  }

  async function attempt(claimed: ClaimedEvent, claimedFrom: number): Promise<void> {
    const result = await send(claimed, claimedFrom);
    deps.onAttempt?.(result);
    const retryInMs = retryDelayMs(claimed.attempt, settings);
    const settled = await queue.settle(claimed, result, retryInMs, settings.retryForMs);
    const about = { eventEntry: claimed.entryId, attempt: claimed.attempt, result };
    if (settled === 'retry') log.warn({ ...about, retryInMs: Math.round(retryInMs) }, 'event delivery failed; will retry');
    if (settled === 'dead') log.error(about, 'event delivery gave up: kept as a dead letter');
  }

  function track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // The lease runs out and another attempt follows: nothing is lost.
      log.warn({ err: error }, 'event delivery attempt could not be settled');
    });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  }

  return {
    /** Claims what is due (up to the free in-flight slots) and starts sending; returns how many started. */
    async tick(): Promise<number> {
      const free = settings.maxInFlight - inFlight.size;
      if (free <= 0) return 0;
      const claimedFrom = Date.now();
      const claimed = await queue.claimDue(settings.leaseMs, free);
      for (const event of claimed) track(attempt(event, claimedFrom));
      return claimed.length;
    },
    /** Resolves when every attempt started so far has ended (each is bounded by the send timeout). */
    async drain(): Promise<void> {
      await Promise.all([...inFlight]);
    },
    /** Resolves when any attempt in flight ends (at once when none is). */
    async anyEnded(): Promise<void> {
      await Promise.race([...inFlight, ...(inFlight.size === 0 ? [Promise.resolve()] : [])]);
    },
  };
}

export type EventDelivery = ReturnType<typeof createEventDelivery>;

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
  const loop = (async () => {
    while (running()) {
      const claimed = await delivery.tick().catch((error: unknown) => {
        log.warn({ err: error }, 'event delivery tick failed');
        return 0;
      });
      if (!running()) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (claimed > 0) void delivery.anyEnded().then(wake);
      });
    }
  })();

  return async () => {
    stopped = true;
    wake?.();
    await loop;
    await delivery.drain();
  };
}
