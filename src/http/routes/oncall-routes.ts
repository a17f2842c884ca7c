import { Router } from 'express';
import { oncallListSchema } from '../../oncall/oncall-schema.js';
import type { OncallStore } from '../../oncall/oncall-store.js';
import { parseInput } from '../parse-input.js';

/** Operators set the ordered escalation list. */
export function oncallRoutes(deps: { oncall: OncallStore }): Router {
  const router = Router();
  router.get('/oncall', async (_req, res) => {
    res.json(await deps.oncall.list());
  });
  router.put('/oncall', async (req, res) => {
    const list = parseInput(oncallListSchema, req.body, 'body');
    await deps.oncall.replace(list);
    res.json(list);
  });
  return router;
}
