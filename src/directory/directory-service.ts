import type { PinStore } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { AccountBody, UserBody } from './directory-schema.js';
import type { DirectoryStore } from './directory-store.js';

export type DirectoryService = ReturnType<typeof createDirectoryService>;

/**
 * Directory changes, with their effect on PINs: a user who may no longer phone
 * support loses their live PIN at once. The directory is changed first and is
 * what the call flow checks, so a PIN left behind by a crash in between is
 * still refused on the phone (and expires with its TTL).
 */
export function createDirectoryService(deps: { store: DirectoryStore; pins: PinStore; policy: Policy }) {
  const { store, pins, policy } = deps;
  const hasPhoneSupport = (sla: string): boolean => policy.tiers[sla]?.phoneSupport === true;

  return {
    getAccount: store.getAccount,
    getMember: store.getMember,

    async putAccount(accountId: string, body: AccountBody) {
      const result = await store.putAccount(accountId, body);
      if (!result.created && !hasPhoneSupport(body.sla)) {
        const userIds = await store.userIds(accountId);
        await pins.revoke(userIds.map((userId) => ({ accountId, userId })));
      }
      return result;
    },

    async deleteAccount(accountId: string): Promise<void> {
      const userIds = await store.deleteAccount(accountId);
      await pins.revoke(userIds.map((userId) => ({ accountId, userId })));
    },

    async putUser(accountId: string, userId: string, body: UserBody) {
      const result = await store.putUser(accountId, userId, body);
      if (!body.permissions.includes('manage_support')) await pins.revoke([{ accountId, userId }]);
      return result;
    },

    async deleteUser(accountId: string, userId: string): Promise<void> {
      await store.deleteUser(accountId, userId);
      await pins.revoke([{ accountId, userId }]);
    },
  };
}
