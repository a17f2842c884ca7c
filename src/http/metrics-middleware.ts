import type { ErrorRequestHandler, RequestHandler } from 'express';
import { UnavailableError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { WebhookTimeout } from './twilio/twiml-errors.js';

const WEBHOOK_ROUTES = new Set(['/voice', '/pin', '/wait', '/queue-result', '/status', '/agent', '/agent-answer', '/bridge', '/agent-status', '/fallback']);

/** Times each webhook by route (unknown paths share one label, so the label set stays small). */
export function timeWebhooks(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.webhookDuration.startTimer({ route: WEBHOOK_ROUTES.has(req.path) ? req.path : 'other' });
    res.once('finish', () => end());
    next();
  };
}

/** Counts requests that failed because Redis was down or slow, then passes the error on. */
export function countRedisFailures(metrics: Metrics): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    if (error instanceof UnavailableError || error instanceof WebhookTimeout) metrics.redisErrors.inc({ kind: 'unavailable' });
    next(error);
  };
}
