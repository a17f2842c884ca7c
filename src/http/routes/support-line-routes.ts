import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { callSummarySchema, summariseCalls } from '../../audit/call-history.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { supportLineSchema, type SupportLine } from '../../hours/support-line.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

const callsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const callHistorySchema = z.object({ calls: z.array(callSummarySchema) });
// Enough events for `limit` calls of a dozen steps each.
const EVENTS_PER_CALL = 12;

/**
 * An account's phone line: whether it may phone support, whether the line is open now and when
 * that changes; and its recent calls, newest first, folded from its audit stream.
 */
export function supportLineRoutes(deps: {
  directory: DirectoryService;
  audit: AuditLog;
  supportLine: (sla: string) => SupportLine;
}): ApiRoute[] {
  return [
    defineRoute('controlPanel', 'get', '/accounts/{accountId}/calls', {
      summary: "The account's recent calls, newest first: time, user, outcome, wait, duration, sysadmin",
      query: callsQuery,
      responses: { '200': json(callHistorySchema, 'Call history') },
      errors: [404],
      handle: async ({ params: { accountId }, query: { limit } }, res) => {
        await deps.directory.requireAccount(accountId);
        const events = await deps.audit.accountEvents(accountId, limit * EVENTS_PER_CALL);
        res.json({ calls: summariseCalls(events).slice(0, limit) });
      },
    }),
    defineRoute('controlPanel', 'get', '/accounts/{accountId}/support-line', {
      summary: "The account's phone line: eligibility, hours, open now, next change",
      responses: { '200': json(supportLineSchema, 'Support line') },
      errors: [404],
      handle: async ({ params: { accountId } }, res) => {
        res.json(deps.supportLine((await deps.directory.requireAccount(accountId)).sla));
      },
    }),
  ];
}
