import type { Account, User } from '../directory/directory-schema.js';
import type { Policy } from '../policy/policy-schema.js';
import type { WaitingCaller } from './waiting-callers.js';

/**
 * What the caller's side tells the sysadmin side when a caller is verified. They are held by
 * the PIN's admission itself (src/calls/admission.ts, one script with the PIN's use), so this
 * only says who they are and nudges the pager.
 */
export interface CallQueue {
  /** The waiting-caller record of a verified caller, as the briefing needs it, from the directory as it is. */
  waitingCaller(call: { callSid: string; account: Account; user: User; adminContactName: string | null; at: number }): WaitingCaller;
  /** A caller was just held: the pager looks now rather than at its next tick. */
  held(): void;
}

export function createCallQueue(deps: { policy: Policy; nudgePager: () => void }): CallQueue {
  const { policy, nudgePager } = deps;
  return {
    waitingCaller({ callSid, account, user, adminContactName, at }) {
      return {
        callSid,
        accountId: account.id,
        accountName: account.name,
        userId: user.id,
        userName: user.name,
        isAdminContact: account.contacts.admin_contact === user.id,
        adminContactName,
        tier: account.sla,
        priority: policy.tiers[account.sla]?.priority ?? 0,
        enqueuedAt: at,
      };
    },
    held: nudgePager,
  };
}
