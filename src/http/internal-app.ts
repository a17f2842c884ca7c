import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { jsonErrors, unknownRoute } from './json-errors.js';
import { addRequestLogging } from './request-logging.js';
import { countRedisFailure } from './twilio/webhook-answers.js';

/** An express app of callgate's: requests logged, `/healthz`, the routes `mount` adds, then JSON 404s and errors. */
export function expressApp(log: Logger, metrics: Metrics, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  addRequestLogging(app, log);
  // It says only that the process is alive, so it may be public (a container's HEALTHCHECK).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  mount(app);
  const countFailure: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
    countRedisFailure(metrics, error);
    next(error);
  };
  app.use(unknownRoute, countFailure, jsonErrors);
  return app;
}

/**
 * The internal listener, for probes and Prometheus, never on the port Twilio reaches: anyone there
 * could watch the guessing budget drain and the rota empty. `/readyz` names what needs a person
 * (callers waiting with nobody on call) while staying 200, so instances stay in the load balancer's pool.
 */
export function createInternalApp(deps: {
  redis: RedisClient;
  metrics: Metrics;
  log: Logger;
  attention: () => Promise<string[]>;
}): RequestListener {
  const { registry } = deps.metrics;
  return expressApp(deps.log, deps.metrics, (app) => {
    app.get('/readyz', async (_req, res) => {
      await withRedis(() => deps.redis.ping());
      res.json({ status: 'ready', attention: await deps.attention() });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  });
}
