import { userBodySchema, type accountBodySchema } from '../../directory/directory-schema.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { accountViewSchema, toAccountView, toUserView, userViewSchema } from '../../directory/directory-views.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { etagOf, ifMatchHeader, ifMatchOf } from '../etags.js';
import { versioned } from '../openapi.js';
import { accountParams, userParams } from './route-params.js';

/** The control panel mirrors its accounts and users here; `If-Match` guards a PUT against unseen changes. */
export function accountRoutes(deps: { directory: DirectoryService; accountBody: ReturnType<typeof accountBodySchema> }): ApiRoute[] {
  const { directory, accountBody } = deps;
  return [
    defineRoute('put', '/accounts/{accountId}', {
      auth: 'controlPanel',
      summary: 'Create or update an account',
      params: accountParams,
      headers: ifMatchHeader,
      body: accountBody,
      responses: { '200': versioned(accountViewSchema, 'Updated'), '201': versioned(accountViewSchema, 'Created') },
      errors: [412],
      handle: async ({ params, headers, body }, res) => {
        const { created, account } = await directory.putAccount(params.accountId, body, ifMatchOf('account', headers['If-Match']));
        res.status(created ? 201 : 200).set('ETag', etagOf('account', account.rev)).json(toAccountView(account));
      },
    }),
    defineRoute('delete', '/accounts/{accountId}', {
      auth: 'controlPanel',
      summary: 'Delete an account, its users and their PINs',
      params: accountParams,
      responses: { '204': { description: 'Deleted' } },
      errors: [404],
      handle: async ({ params }, res) => {
        await directory.deleteAccount(params.accountId);
        res.status(204).end();
      },
    }),
    defineRoute('put', '/accounts/{accountId}/users/{userId}', {
      auth: 'controlPanel',
      summary: 'Create or update a user; omitting roles keeps the roles the user holds',
      params: userParams,
      headers: ifMatchHeader,
      body: userBodySchema,
      responses: { '200': versioned(userViewSchema, 'Updated'), '201': versioned(userViewSchema, 'Created') },
      errors: [404, 409, 412],
      handle: async ({ params, headers, body }, res) => {
        const { created, user } = await directory.putUser(params.accountId, params.userId, body, ifMatchOf('user', headers['If-Match']));
        res.status(created ? 201 : 200).set('ETag', etagOf('user', user.rev)).json(toUserView(user));
      },
    }),
    defineRoute('delete', '/accounts/{accountId}/users/{userId}', {
      auth: 'controlPanel',
      summary: 'Delete a user (not while they hold a contact role)',
      params: userParams,
      responses: { '204': { description: 'Deleted' } },
      errors: [404, 409],
      handle: async ({ params }, res) => {
        await directory.deleteUser(params.accountId, params.userId);
        res.status(204).end();
      },
    }),
  ];
}
