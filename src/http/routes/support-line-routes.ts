import { Router } from 'express';
import type { DirectoryService } from '../../directory/directory-service.js';
import { notFound } from '../../errors.js';
import type { SupportLine } from '../../hours/support-line.js';
import { parseInput } from '../parse-input.js';
import { accountParams } from './route-params.js';

/** Whether an account may phone support, whether the line is open now, and when that changes. */
export function supportLineRoutes(deps: { directory: DirectoryService; supportLine: (sla: string) => SupportLine }) {
  const { directory, supportLine } = deps;
  const router = Router();

  router.get('/accounts/:accountId/support-line', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    const account = await directory.getAccount(accountId);
    if (account === undefined) throw notFound('account_not_found', `No account ${accountId}.`);
    res.json(supportLine(account.sla));
  });

  return router;
}
