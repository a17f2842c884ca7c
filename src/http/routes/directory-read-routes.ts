import { Router } from 'express';
import { z } from 'zod';
import type { DirectoryService } from '../../directory/directory-service.js';
import { toAccountView, toUserView, type UserPage } from '../../directory/directory-views.js';
import { userCursorSchema } from '../../directory/user-cursor.js';
import { etagOf } from '../etags.js';
import { parseInput } from '../parse-input.js';
import { accountParams, userParams } from './route-params.js';

export const usersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: userCursorSchema.optional(),
});

/** What callgate holds of the directory, so a control panel can check its sync; never a PIN. */
export function directoryReadRoutes(deps: { directory: DirectoryService }): Router {
  const { directory } = deps;
  const router = Router();

  router.get('/accounts/:accountId', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    const account = await directory.requireAccount(accountId);
    res.set('ETag', etagOf('account', account.rev)).json(toAccountView(account));
  });

  router.get('/accounts/:accountId/users', async (req, res) => {
    const { accountId } = parseInput(accountParams, req.params, 'params');
    const { limit, cursor } = parseInput(usersQuery, req.query, 'query');
    const page = await directory.listUsers(accountId, { after: cursor, limit });
    const body: UserPage = {
      users: page.users.map(({ user, pinActive }) => ({ ...toUserView(user), pinActive })),
      nextCursor: page.next ?? null,
    };
    res.json(body);
  });

  router.get('/accounts/:accountId/users/:userId', async (req, res) => {
    const { accountId, userId } = parseInput(userParams, req.params, 'params');
    const { user, pinActive } = await directory.requireUser(accountId, userId);
    res.set('ETag', etagOf('user', user.rev)).json({ ...toUserView(user), pinActive });
  });

  return router;
}
