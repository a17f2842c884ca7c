import { Router } from 'express';
import type { ConsoleFeed } from '../../console/console-feed.js';

/**
 * The on-call console's data (operator keys only, see app.ts). Both answers come from the
 * shared feed: a browser polling them costs no Redis read of its own.
 */
export function opsConsoleRoutes(feed: ConsoleFeed): Router {
  const router = Router();
  router.get('/ops/now', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await feed.live());
  });
  router.get('/ops/calls', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await feed.recentCalls());
  });
  return router;
}
