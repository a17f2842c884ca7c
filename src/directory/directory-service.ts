import type { Policy } from '../policy/policy-schema.js';
import { cursorAfter } from './user-cursor.js';
import type { AccountBody, UserBody } from './directory-schema.js';
import type { DirectoryStore } from './directory-store.js';
import type { IfMatch } from './revisions.js';

export type DirectoryService = ReturnType<typeof createDirectoryService>;

/** Directory changes, with their effect on PINs: who may no longer phone support loses their live PIN. */
export function createDirectoryService(deps: { store: DirectoryStore; policy: Policy }) {
  const { store, policy } = deps;
  const hasPhoneSupport = (sla: string): boolean => policy.tiers[sla]?.phoneSupport === true;

  return {
    requireAccount: store.requireAccount,
    requireUser: store.requireUser,

    /** One page of users in id order; `next` is where the following page starts (undefined: last page). */
    async listUsers(accountId: string, page: { after?: { after: string } | undefined; limit: number }) {
      const users = await store.listUsers(accountId, { after: page.after?.after, limit: page.limit + 1 });
      const shown = users.slice(0, page.limit);
      const last = shown.at(-1);
      return { users: shown, next: users.length > page.limit && last !== undefined ? cursorAfter(last.id) : undefined };
    },

    putAccount: (accountId: string, body: AccountBody, ifMatch?: IfMatch) =>
      store.putAccount(accountId, body, { ifMatch, revokePins: !hasPhoneSupport(body.sla) }),

    deleteAccount: (accountId: string): Promise<void> => store.deleteAccount(accountId),

    putUser: (accountId: string, userId: string, body: UserBody, ifMatch?: IfMatch) =>
      store.putUser(accountId, userId, body, { ifMatch, revokePin: !body.permissions.includes('manage_support') }),

    deleteUser: (accountId: string, userId: string): Promise<void> => store.deleteUser(accountId, userId),
  };
}
