import { Router } from 'express';
import type { RedisClient } from '../../redis/connect-redis.js';
import { withRedis } from '../../redis/redis-errors.js';

/**
 * `/healthz`: the process is alive. `/readyz`: it can reach Redis, so it can take traffic;
 * its body also names what needs a person (callers waiting with nobody on call) while
 * staying 200, so instances stay in the load balancer's pool.
 */
export function healthRoutes(deps: { redis: RedisClient; attention: () => Promise<string[]> }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    await withRedis(() => deps.redis.ping());
    res.json({ status: 'ready', attention: await deps.attention() });
  });
  return router;
}
