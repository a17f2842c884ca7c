import { z } from 'zod';
import type { DirectoryService } from '../../directory/directory-service.js';
import type { PinService } from '../../pins/pin-service.js';
import { accountViewSchema, toAccountView, toUserView, userDetailSchema, userPageSchema, type UserPage } from '../../directory/directory-views.js';
import { userCursorSchema } from '../../directory/user-cursor.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { etagOf } from '../etags.js';
import { json, versioned } from '../openapi.js';
import { accountParams, userParams } from './route-params.js';

const usersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: userCursorSchema.optional(),
});

/** What callgate holds of the directory, so a control panel can check its sync; never a PIN. */
export function directoryReadRoutes(deps: { directory: DirectoryService; pinService: PinService }): ApiRoute[] {
  const { directory, pinService } = deps;
  return [
    defineRoute('get', '/accounts/{accountId}', {
      auth: 'controlPanel',
      summary: 'The account: name, plan (sla) and contacts',
      params: accountParams,
      responses: { '200': versioned(accountViewSchema, 'The account') },
      errors: [404],
      handle: async ({ params }, res) => {
        const account = await directory.requireAccount(params.accountId);
        res.set('ETag', etagOf('account', account.rev)).json(toAccountView(account));
      },
    }),
    defineRoute('get', '/accounts/{accountId}/users', {
      auth: 'controlPanel',
      summary: "The account's users in id order, a page at a time",
      params: accountParams,
      query: usersQuery,
      responses: { '200': json(userPageSchema, 'A page of users') },
      errors: [404],
      handle: async ({ params, query }, res) => {
        const page = await directory.listUsers(params.accountId, { after: query.cursor, limit: query.limit });
        const active = await pinService.pinsActive(page.users);
        const body: UserPage = {
          users: page.users.map((user, i) => ({ ...toUserView(user), pinActive: active[i] === true })),
          nextCursor: page.next ?? null,
        };
        res.json(body);
      },
    }),
    defineRoute('get', '/accounts/{accountId}/users/{userId}', {
      auth: 'controlPanel',
      summary: 'The user: name, permissions, roles, whether a PIN is live (never the PIN)',
      params: userParams,
      responses: { '200': versioned(userDetailSchema, 'The user') },
      errors: [404],
      handle: async ({ params }, res) => {
        const user = await directory.requireUser(params.accountId, params.userId);
        const [pinActive = false] = await pinService.pinsActive([user]);
        res.set('ETag', etagOf('user', user.rev)).json({ ...toUserView(user), pinActive });
      },
    }),
  ];
}
