import { Router } from 'express';
import type { Metrics } from '../../metrics/metrics.js';
import type { RedisClient } from '../../redis/connect-redis.js';
import { withRedis } from '../../redis/redis-errors.js';

/** `/healthz`: the process is alive. It says nothing else, so it may be public (a container's HEALTHCHECK). */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return router;
}

/**
 * `/readyz`: it can reach Redis, so it can take traffic; its body also names what needs a person
 * (callers waiting with nobody on call) while staying 200, so instances stay in the load
 * balancer's pool. `/metrics`: Prometheus text. Both show how the line stands (the guessing
 * budget, the rota), so they are served on the internal listener only (src/http/internal-app.ts).
 */
export function readinessRoutes(deps: { redis: RedisClient; metrics: Metrics; attention: () => Promise<string[]> }): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    await withRedis(() => deps.redis.ping());
    res.json({ status: 'ready', attention: await deps.attention() });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
