import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { WaitingCaller } from './waiting-callers.js';

/**
 * What the caller's side tells the sysadmin side when a caller is verified. They are held by
 * the PIN's admission itself (src/calls/admission.ts, one script with the PIN's use), so this
 * only says who they are and nudges the pager.
 */
export interface CallQueue {
  /** The waiting-caller record of a verified caller, as the briefing needs it, from the directory as it is. */
  waitingCaller(call: { callSid: string; account: Account; user: User; at: number }): Promise<WaitingCaller>;
  /** A caller was just held: the pager looks now rather than at its next tick. */
  held(): void;
}

export function createCallQueue(deps: { directory: DirectoryStore; policy: Policy; nudgePager: () => void }): CallQueue {
  const { directory, policy, nudgePager } = deps;

  async function adminContactName(account: Account, user: User): Promise<string | null> {
    const adminId = account.contacts.admin_contact;
    if (adminId === undefined) return null;
    if (adminId === user.id) return user.name;
    return (await directory.getMember(account.id, adminId)).user?.name ?? null;
  }

  return {
    async waitingCaller({ callSid, account, user, at }) {
      return {
        callSid,
        accountId: account.id,
        accountName: account.name,
        userId: user.id,
        userName: user.name,
        isAdminContact: account.contacts.admin_contact === user.id,
        adminContactName: await adminContactName(account, user),
        tier: account.sla,
        priority: policy.tiers[account.sla]?.priority ?? 0,
        enqueuedAt: at,
      };
    },
    held: nudgePager,
  };
}
