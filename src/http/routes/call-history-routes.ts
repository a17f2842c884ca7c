import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { callSummarySchema, summariseCalls } from '../../audit/call-history.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { notFound } from '../../errors.js';
import { parseInput } from '../parse-input.js';
import { accountParams } from './route-params.js';

export const callsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const callHistorySchema = z.object({ calls: z.array(callSummarySchema) });

// Enough events for `limit` calls of a dozen steps each.
const EVENTS_PER_CALL = 12;

/** The account's recent calls, newest first, folded from its audit stream. */
export function callHistoryRoutes(deps: { directory: DirectoryService; audit: AuditLog }): Router {
  const router = Router();
  router.get('/accounts/:accountId/calls', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    const { limit } = parseInput(callsQuery, req.query, 'query');
    if ((await deps.directory.getAccount(accountId)) === undefined) {
      throw notFound('account_not_found', `No account ${accountId}.`);
    }
    const events = await deps.audit.accountEvents(accountId, limit * EVENTS_PER_CALL);
    res.json({ calls: summariseCalls(events).slice(0, limit) });
  });
  return router;
}
