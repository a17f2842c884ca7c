import type { DirectoryService } from '../../directory/directory-service.js';
import { supportLineSchema, type SupportLine } from '../../hours/support-line.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';
import { accountParams } from './route-params.js';

/** Whether an account may phone support, whether the line is open now, and when that changes. */
export function supportLineRoutes(deps: { directory: DirectoryService; supportLine: (sla: string) => SupportLine }): ApiRoute[] {
  return [
    defineRoute('get', '/accounts/{accountId}/support-line', {
      auth: 'controlPanel',
      summary: "The account's phone line: eligibility, hours, open now, next change",
      params: accountParams,
      responses: { '200': json(supportLineSchema, 'Support line') },
      errors: [404],
      handle: async ({ params: { accountId } }, res) => {
        res.json(deps.supportLine((await deps.directory.requireAccount(accountId)).sla));
      },
    }),
  ];
}
