import { Router } from 'express';
import type { PinService } from '../../pins/pin-service.js';
import { parseInput } from '../parse-input.js';
import { userParams } from './route-params.js';

/** A user's PIN: issued to the control panel, which shows it once; never readable afterwards. */
export function pinRoutes(deps: { pinService: PinService }): Router {
  const { pinService } = deps;
  const router = Router();
  const path = '/accounts/:accountId/users/:userId/pin';

  router.post(path, async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    const issued = await pinService.issuePin(accountId, userId);
    // The PIN must not linger in a proxy or browser cache.
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(issued);
  });

  router.get(path, async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    res.json(await pinService.pinStatus(accountId, userId));
  });

  router.delete(path, async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    await pinService.revokePin(accountId, userId);
    res.status(204).end();
  });

  return router;
}
