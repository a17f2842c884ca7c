import { z } from 'zod';
import { userBodySchema, type accountBodySchema } from '../../directory/directory-schema.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { accountViewSchema, toAccountView, toUserView, userViewSchema } from '../../directory/directory-views.js';
import { userDetailSchema, userPageSchema, type UserPage } from '../../directory/directory-views.js';
import { userCursorSchema } from '../../directory/user-cursor.js';
import type { PinService } from '../../pins/pin-service.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { ifMatchHeader, ifMatchOf, sendVersioned } from '../etags.js';
import { json, versioned } from '../openapi.js';

const usersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: userCursorSchema.optional(),
});

/**
 * The control panel mirrors its accounts and users here, and reads back what callgate holds to
 * check its sync (never a PIN); `If-Match` guards a PUT against unseen changes.
 */
export function directoryRoutes(deps: {
  directory: DirectoryService;
  pinService: PinService;
  accountBody: ReturnType<typeof accountBodySchema>;
}): ApiRoute[] {
  const { directory, pinService } = deps;
  return [
    defineRoute('controlPanel', 'get', '/accounts/{accountId}', {
      summary: 'The account: name, plan (sla) and contacts',
      responses: { '200': versioned(accountViewSchema, 'The account') },
      errors: [404],
      handle: async ({ params }, res) => {
        const account = await directory.requireAccount(params.accountId);
        sendVersioned(res, 'account', account.rev, toAccountView(account));
      },
    }),
    defineRoute('controlPanel', 'put', '/accounts/{accountId}', {
      summary: 'Create or update an account',
      headers: ifMatchHeader,
      body: deps.accountBody,
      responses: { '200': versioned(accountViewSchema, 'Updated'), '201': versioned(accountViewSchema, 'Created') },
      errors: [412],
      handle: async ({ params, headers, body }, res) => {
        const ifMatch = ifMatchOf('account', headers['If-Match']);
        const { created, account } = await directory.putAccount(params.accountId, body, ifMatch);
        sendVersioned(res, 'account', account.rev, toAccountView(account), created ? 201 : 200);
      },
    }),
    defineRoute('controlPanel', 'delete', '/accounts/{accountId}', {
      summary: 'Delete an account, its users and their PINs',
      responses: { '204': { description: 'Deleted' } },
      errors: [404],
      handle: async ({ params }, res) => {
        await directory.deleteAccount(params.accountId);
        res.status(204).end();
      },
    }),
    defineRoute('controlPanel', 'get', '/accounts/{accountId}/users', {
      summary: "The account's users in id order, a page at a time",
      query: usersQuery,
      responses: { '200': json(userPageSchema, 'A page of users') },
      errors: [404],
      handle: async ({ params, query }, res) => {
        const page = await directory.listUsers(params.accountId, { after: query.cursor, limit: query.limit });
        const active = await pinService.pinsActive(page.users);
        const users = page.users.map((user, i) => ({ ...toUserView(user), pinActive: active[i] === true }));
        res.json({ users, nextCursor: page.next ?? null } satisfies UserPage);
      },
    }),
    defineRoute('controlPanel', 'get', '/accounts/{accountId}/users/{userId}', {
      summary: 'The user: name, permissions, roles, whether a PIN is live (never the PIN)',
      responses: { '200': versioned(userDetailSchema, 'The user') },
      errors: [404],
      handle: async ({ params }, res) => {
        const user = await directory.requireUser(params.accountId, params.userId);
        const [pinActive = false] = await pinService.pinsActive([user]);
        sendVersioned(res, 'user', user.rev, { ...toUserView(user), pinActive });
      },
    }),
    defineRoute('controlPanel', 'put', '/accounts/{accountId}/users/{userId}', {
      summary: 'Create or update a user; omitting roles keeps the roles the user holds',
      headers: ifMatchHeader,
      body: userBodySchema,
      responses: { '200': versioned(userViewSchema, 'Updated'), '201': versioned(userViewSchema, 'Created') },
      errors: [404, 409, 412],
      handle: async ({ params: { accountId, userId }, headers, body }, res) => {
        const { created, user } = await directory.putUser(accountId, userId, body, ifMatchOf('user', headers['If-Match']));
        sendVersioned(res, 'user', user.rev, toUserView(user), created ? 201 : 200);
      },
    }),
    defineRoute('controlPanel', 'delete', '/accounts/{accountId}/users/{userId}', {
      summary: 'Delete a user (not while they hold a contact role)',
      responses: { '204': { description: 'Deleted' } },
      errors: [404, 409],
      handle: async ({ params }, res) => {
        await directory.deleteUser(params.accountId, params.userId);
        res.status(204).end();
      },
    }),
  ];
}
