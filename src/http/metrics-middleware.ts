import type { ErrorRequestHandler } from 'express';
import { UnavailableError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { WebhookTimeout } from './twilio/webhook-answers.js';

/** Counts an error if Redis being down or slow caused it. */
export function countRedisFailure(metrics: Metrics, error: unknown): void {
  if (error instanceof UnavailableError || error instanceof WebhookTimeout) metrics.redisErrors.inc({ kind: 'unavailable' });
}

/** Counts requests that failed because Redis was down or slow, then passes the error on. */
export function countRedisFailures(metrics: Metrics): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    countRedisFailure(metrics, error);
    next(error);
  };
}
