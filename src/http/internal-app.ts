import type { RequestListener } from 'node:http';
import express from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { jsonErrors, unknownRoute } from './json-errors.js';
import { countRedisFailures } from './metrics-middleware.js';
import { addRequestLogging } from './request-logging.js';
import { healthRoutes, readinessRoutes } from './routes/health-routes.js';

/**
 * The internal listener, for probes and Prometheus: `/healthz`, `/readyz`, `/metrics`. main.ts
 * listens on it at INTERNAL_HOST:INTERNAL_PORT (loopback by default), never on the port Twilio
 * reaches: anyone there could watch the guessing budget drain and the rota empty.
 */
export function createInternalApp(deps: {
  redis: RedisClient;
  metrics: Metrics;
  log: Logger;
  attention: () => Promise<string[]>;
}): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  addRequestLogging(app, deps.log);
  app.use(healthRoutes());
  app.use(readinessRoutes(deps));
  app.use(unknownRoute);
  app.use(countRedisFailures(deps.metrics));
  app.use(jsonErrors);
  return app;
}
