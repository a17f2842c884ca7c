import type { Request, RequestHandler, Response } from 'express';
import type { Metrics } from '../../metrics/metrics.js';
import { countRedisFailure } from '../metrics-middleware.js';
import { readForm } from './twilio-form.js';
import { twilioSignatureCheck } from './twilio-signature.js';
import { sendTwiml } from './twiml-errors.js';

/** One Twilio webhook: reads the signed request (`req.body` holds its parameters), answers TwiML. */
export type Webhook = (req: Request) => Promise<string> | string;

/** The TwiML sent with a 403: still valid TwiML, in case it was Twilio after all. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Every Twilio webhook under one express handler: the form read, the signature checked, the
 * webhook looked up by path, its answer timed and sent. One layer instead of a router with a
 * middleware per concern, because each layer is visited on every webhook and the PIN webhook
 * is the busiest path callgate has (README, Performance).
 *
 * Whatever goes wrong (Redis down or slow, a bug, an unreadable body, an unknown path), the
 * caller hears the apology and how to reach support another way: always 200 with TwiML, never
 * a 5xx, which Twilio would read out as "an application error has occurred".
 */
export function webhookHandler(deps: {
  webhooks: ReadonlyMap<string, Webhook>;
  /** Served to anyone, unsigned: it says nothing that depends on the caller. */
  fallback: string;
  apology: string;
  authToken: string;
  publicBaseUrl: string;
  metrics: Metrics;
}): RequestHandler {
  const { webhooks, apology, metrics } = deps;
  const signedByTwilio = twilioSignatureCheck(deps.authToken, deps.publicBaseUrl);

  async function answer(req: Request, res: Response, webhook: Webhook | undefined): Promise<void> {
    const params = await readForm(req);
    if (!signedByTwilio(req, params)) {
      req.log.warn({ url: `${deps.publicBaseUrl}${req.originalUrl}` }, 'rejected a webhook with a missing or wrong Twilio signature');
      sendTwiml(res, EMPTY_TWIML, 403);
      return;
    }
    req.body = params;
    // Bound before anything is logged: the request's logger is made on its first use.
    if (typeof params.CallSid === 'string') req.logBindings.callSid = params.CallSid;
    if (webhook === undefined) {
      req.log.warn({ path: req.path }, 'webhook for an unknown path: check the number configuration in Twilio');
      sendTwiml(res, apology);
      return;
    }
    sendTwiml(res, await webhook(req));
  }

  return (req, res) => {
    const { path } = req;
    if (path === '/fallback') {
      sendTwiml(res, deps.fallback);
      return;
    }
    const webhook = req.method === 'POST' ? webhooks.get(path) : undefined;
    const started = performance.now();
    answer(req, res, webhook)
      .catch((error: unknown) => {
        countRedisFailure(metrics, error);
        req.log.error({ err: error }, 'webhook failed: answered with the apology');
        if (!res.headersSent) sendTwiml(res, apology);
      })
      .finally(() => {
        // Unknown paths share one label, so the label set stays small.
        metrics.webhookDuration.observe({ route: webhook === undefined ? 'other' : path }, (performance.now() - started) / 1000);
      });
  };
}
