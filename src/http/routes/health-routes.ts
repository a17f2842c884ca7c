import { Router } from 'express';
import type { RedisClient } from '../../redis/connect-redis.js';
import { withRedis } from '../../redis/redis-errors.js';

/** `/healthz`: the process is alive. `/readyz`: it can reach Redis, so it can take traffic. */
export function healthRoutes(deps: { redis: RedisClient }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    await withRedis(() => deps.redis.ping());
    res.json({ status: 'ready' });
  });
  return router;
}
