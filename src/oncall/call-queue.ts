import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { WaitingCaller, WaitingCallers } from './waiting-callers.js';

/**
 * What the caller's side tells the sysadmin side. A verified caller is held by the PIN's
 * admission itself (src/calls/admission.ts, one script with the PIN's use), so this only says
 * who they are, nudges the pager, and hears that they are still there or have left.
 */
export interface CallQueue {
  /** The waiting-caller record of a verified caller, as the briefing needs it, from the directory as it is. */
  waitingCaller(call: { callSid: string; account: Account; user: User; at: number }): Promise<WaitingCaller>;
  /** A caller was just held: the pager looks now rather than at its next tick. */
  held(): void;
  /** A wait-URL fetch: returns the caller's place in line across plans (1-based), or null if not waiting. */
  stillWaiting(callSid: string, now: number): Promise<number | null>;
  left(callSid: string): Promise<void>;
}

export function createCallQueue(deps: {
  waiting: WaitingCallers;
  directory: DirectoryStore;
  policy: Policy;
  nudgePager: () => void;
}): CallQueue {
  const { waiting, directory, policy, nudgePager } = deps;

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
    stillWaiting: (callSid, now) => waiting.seen(callSid, now),
    left: (callSid) => waiting.remove(callSid),
  };
}
