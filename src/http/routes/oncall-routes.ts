import { Router } from 'express';
import { notFound } from '../../errors.js';
import type { OncallPins } from '../../oncall/oncall-pins.js';
import { oncallListSchema, oncallPinBodySchema, sysadminParams, type OncallView } from '../../oncall/oncall-schema.js';
import type { OncallStore } from '../../oncall/oncall-store.js';
import { parseInput } from '../parse-input.js';

/** Operators set the ordered escalation list, and each sysadmin's on-call PIN (never read back). */
export function oncallRoutes(deps: { oncall: OncallStore; oncallPins: OncallPins }): Router {
  const router = Router();
  router.get('/oncall', async (_req, res) => {
    const list = await deps.oncall.list();
    const pins = await deps.oncallPins.have(list.map((sysadmin) => sysadmin.id));
    const withPins: OncallView = list.map((sysadmin, i) => ({ ...sysadmin, hasPin: pins[i] === true }));
    res.json(withPins);
  });
  router.put('/oncall', async (req, res) => {
    const list = parseInput(oncallListSchema, req.body, 'body');
    await deps.oncall.replace(list);
    res.json(list);
  });
  router.put('/oncall/:sysadminId/pin', async (req, res) => {
    const { sysadminId } = parseInput(sysadminParams, req.params, 'params');
    const { pin } = parseInput(oncallPinBodySchema, req.body, 'body');
    if (!(await deps.oncall.list()).some((sysadmin) => sysadmin.id === sysadminId)) {
      throw notFound('not_found', `No sysadmin ${sysadminId} on the rota.`);
    }
    await deps.oncallPins.set(sysadminId, pin);
    res.status(204).end();
  });
  return router;
}
