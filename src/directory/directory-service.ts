import { notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PinStore } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import { cursorAfter, type UserCursor } from './user-cursor.js';
import type { AccountBody, User, UserBody } from './directory-schema.js';
import type { DirectoryStore, WriteBy } from './directory-store.js';
import type { LineCopy } from './line-copy.js';
import type { IfMatch } from './revisions.js';

export type DirectoryService = ReturnType<typeof createDirectoryService>;

/**
 * Directory changes, with their effect on PINs: a user who may no longer phone
 * support loses their live PIN at once. PINs live on the call path's hash tag
 * (`{line}`, looked up by value alone), so on Redis Cluster the revocation
 * cannot share the directory's script: the directory is changed first and is
 * what the call flow checks, so a PIN left behind by a crash in between is
 * still refused on the phone (and expires with its TTL).
 * For the same reason every change also goes through the line's copy of the directory
 * (line-copy.ts): marked before, copied after, so a call never trusts a copy older than a change.
 */
export function createDirectoryService(deps: { store: DirectoryStore; pins: PinStore; policy: Policy; copy: LineCopy; log: Logger }) {
  const { store, pins, policy, copy, log } = deps;
  const hasPhoneSupport = (sla: string): boolean => policy.tiers[sla]?.phoneSupport === true;

  /**
   * Runs a change of the account (and of `userId`) between the line copy's mark and its
   * settling; the change's write must land by the mark's `writeBy` (after that a call may have
   * stopped waiting for it). Settled whether or not the change succeeded, since a change whose
   * answer was lost may still have landed. A copy that cannot be settled keeps its mark: calls
   * then read the directory themselves until one of them lifts it (line-copy.ts).
   */
  async function changing<T>(
    accountId: string,
    userId: string | undefined,
    change: (writeBy: WriteBy) => Promise<T>,
    accountDeleted = false,
  ): Promise<T> {
    const mark = await copy.markChange(accountId);
    try {
      return await change({ notAfter: mark.writeBy });
    } finally {
      try {
        await copy.settle(accountId, userId, await store.getCaller(accountId, userId ?? ''), mark, accountDeleted);
      } catch (error) {
        log.warn({ err: error, accountId }, "could not copy a directory change for the call path; calls read the directory until it is");
      }
    }
  }
  const withPinStatus = async (user: User) => ({
    user,
    pinActive: (await pins.status({ accountId: user.accountId, userId: user.id })).active,
  });

  return {
    getAccount: store.getAccount,

    async requireAccount(accountId: string) {
      const account = await store.getAccount(accountId);
      if (account === undefined) throw notFound('account_not_found', `No account ${accountId}.`);
      return account;
    },

    /** A user and whether they have a live PIN. */
    async requireUser(accountId: string, userId: string) {
      const { account, user } = await store.getMember(accountId, userId);
      if (account === undefined) throw notFound('account_not_found', `No account ${accountId}.`);
      if (user === undefined) throw notFound('user_not_found', `No user ${userId} in account ${accountId}.`);
      return withPinStatus(user);
    },

    /** One page of users in id order; `next` is where the following page starts (undefined: last page). */
    async listUsers(accountId: string, page: { after?: UserCursor | undefined; limit: number }) {
      const users = await store.listUsers(accountId, { after: page.after?.after, limit: page.limit + 1 });
      const shown = users.slice(0, page.limit);
      const last = shown.at(-1);
      const pinStatuses = await pins.statuses(shown.map((user) => ({ accountId: user.accountId, userId: user.id })));
      return {
        users: shown.map((user, i) => ({ user, pinActive: pinStatuses[i]?.active === true })),
        next: users.length > page.limit && last !== undefined ? cursorAfter(last.id) : undefined,
      };
    },

    async putAccount(accountId: string, body: AccountBody, ifMatch?: IfMatch) {
      const losesPhone = !hasPhoneSupport(body.sla);
      const result = await changing(accountId, undefined, (by) => store.putAccount(accountId, body, { ...by, ifMatch, listUsers: losesPhone }));
      if (losesPhone) await pins.revoke(result.userIds.map((userId) => ({ accountId, userId })));
      return result;
    },

    async deleteAccount(accountId: string): Promise<void> {
      const userIds = await changing(accountId, undefined, (by) => store.deleteAccount(accountId, by), true);
      await pins.revoke(userIds.map((userId) => ({ accountId, userId })));
    },

    async putUser(accountId: string, userId: string, body: UserBody, ifMatch?: IfMatch) {
      const result = await changing(accountId, userId, (by) => store.putUser(accountId, userId, body, { ...by, ifMatch }));
      if (!body.permissions.includes('manage_support')) await pins.revoke([{ accountId, userId }]);
      return result;
    },

    async deleteUser(accountId: string, userId: string): Promise<void> {
      await changing(accountId, userId, (by) => store.deleteUser(accountId, userId, by));
      await pins.revoke([{ accountId, userId }]);
    },
  };
}
