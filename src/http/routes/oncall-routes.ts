import { Router } from 'express';
import { notFound } from '../../errors.js';
import type { OncallPins } from '../../oncall/oncall-pins.js';
import { oncallListSchema, oncallPinBodySchema, sysadminParams, type OncallView } from '../../oncall/oncall-schema.js';
import type { OncallStore } from '../../oncall/oncall-store.js';
import { etagOf, ifMatchOf } from '../etags.js';
import { parseInput } from '../parse-input.js';

/** Operators set the ordered escalation list, and each sysadmin's on-call PIN (never read back). */
export function oncallRoutes(deps: { oncall: OncallStore; oncallPins: OncallPins }): Router {
  const router = Router();
  router.get('/oncall', async (_req, res) => {
    const { list, revision } = await deps.oncall.read();
    const pins = await deps.oncallPins.have(list.map((sysadmin) => sysadmin.id));
    const withPins: OncallView = list.map((sysadmin, i) => ({ ...sysadmin, hasPin: pins[i] === true }));
    res.setHeader('ETag', etagOf('rota', revision));
    res.json(withPins);
  });
  // With If-Match, a change made from an older read is refused (412) instead of undoing another's.
  router.put('/oncall', async (req, res) => {
    const ifMatch = ifMatchOf('rota', req.get('If-Match'));
    const list = parseInput(oncallListSchema, req.body, 'body');
    res.setHeader('ETag', etagOf('rota', await deps.oncall.replace(list, ifMatch)));
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
