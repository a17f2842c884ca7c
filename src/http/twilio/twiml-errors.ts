import type { ErrorRequestHandler, Response } from 'express';

export function sendTwiml(res: Response, twiml: string): void {
  res.status(200).type('text/xml').send(twiml);
}

/**
 * Whatever went wrong in a webhook (Redis down or slow, a bug), the caller hears
 * the apology and how to reach support another way: always 200 with TwiML,
 * never a 5xx, which Twilio would read out as "an application error has occurred".
 */
export function twimlErrors(apology: string): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    req.log.error({ err: error }, 'webhook failed: answered with the apology');
    sendTwiml(res, apology);
  };
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
