import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { callSummarySchema, summariseCalls } from '../../audit/call-history.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';
import { accountParams } from './route-params.js';

const callsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const callHistorySchema = z.object({ calls: z.array(callSummarySchema) });

// Enough events for `limit` calls of a dozen steps each.
const EVENTS_PER_CALL = 12;

/** The account's recent calls, newest first, folded from its audit stream. */
export function callHistoryRoutes(deps: { directory: DirectoryService; audit: AuditLog }): ApiRoute[] {
  return [
    defineRoute('get', '/accounts/{accountId}/calls', {
      auth: 'controlPanel',
      summary: "The account's recent calls, newest first: time, user, outcome, wait, duration, sysadmin",
      params: accountParams,
      query: callsQuery,
      responses: { '200': json(callHistorySchema, 'Call history') },
      errors: [404],
      handle: async ({ params: { accountId }, query: { limit } }, res) => {
        await deps.directory.requireAccount(accountId);
        const events = await deps.audit.accountEvents(accountId, limit * EVENTS_PER_CALL);
        res.json({ calls: summariseCalls(events).slice(0, limit) });
      },
    }),
  ];
}
