import { Router } from 'express';
import type { z } from 'zod';
import { userBodySchema, type accountBodySchema } from '../../directory/directory-schema.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { toAccountView, toUserView } from '../../directory/directory-views.js';
import { etagOf, ifMatchOf } from '../etags.js';
import { parseInput } from '../parse-input.js';
import { accountParams, userParams } from './route-params.js';

/** The control panel mirrors its accounts and users here; `If-Match` guards a PUT against unseen changes. */
export function accountRoutes(deps: {
  directory: DirectoryService;
  accountBody: ReturnType<typeof accountBodySchema>;
}): Router {
  const { directory, accountBody } = deps;
  const router = Router();

  router.put('/accounts/:accountId', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    const body: z.output<typeof accountBody> = parseInput(accountBody, req.body, 'body');
    const ifMatch = ifMatchOf('account', req.get('If-Match'));
    const { created, account } = await directory.putAccount(accountId, body, ifMatch);
    res.status(created ? 201 : 200).set('ETag', etagOf('account', account.rev)).json(toAccountView(account));
  });

  router.delete('/accounts/:accountId', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    await directory.deleteAccount(accountId);
    res.status(204).end();
  });

  router.put('/accounts/:accountId/users/:userId', async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    const body = parseInput(userBodySchema, req.body, 'body');
    const ifMatch = ifMatchOf('user', req.get('If-Match'));
    const { created, user } = await directory.putUser(accountId, userId, body, ifMatch);
    res.status(created ? 201 : 200).set('ETag', etagOf('user', user.rev)).json(toUserView(user));
  });

  router.delete('/accounts/:accountId/users/:userId', async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    await directory.deleteUser(accountId, userId);
    res.status(204).end();
  });

  return router;
}
