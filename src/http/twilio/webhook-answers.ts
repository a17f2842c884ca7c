import type { ServerResponse } from 'node:http';
import { UnavailableError } from '../../errors.js';
import type { Metrics } from '../../metrics/metrics.js';

/** The SPEC's 2 s: every webhook answers by then, whatever Redis does. */
export const ANSWER_WITHIN_MS = 1800;
/** A PIN may only be used up well before the answer deadline (see src/redis/deadline.ts). */
export const PIN_USE_BUDGET_MS = 1400;

/** Sent with a 403 (valid TwiML, in case it was Twilio after all) and to status callbacks (no call to instruct). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** A webhook's answer: TwiML, 200 unless said (Twilio reads out any 5xx as an application error). */
export function sendTwiml(res: ServerResponse, twiml: string, status = 200): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/xml; charset=utf-8');
  res.end(twiml);
}

export class WebhookTimeout extends Error {
  constructor() {
    super('the webhook ran out of time');
    this.name = 'WebhookTimeout';
  }
}

/** Resolves with `work`, or rejects with WebhookTimeout after `ms` so the caller is answered in time. */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new WebhookTimeout());
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Counts an error if Redis being down or slow caused it. */
export function countRedisFailure(metrics: Metrics, error: unknown): void {
  if (error instanceof UnavailableError || error instanceof WebhookTimeout) {
    metrics.redisErrors.inc({ kind: 'unavailable' });
  }
}
