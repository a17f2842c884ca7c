import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import { rejection, type Decision } from './decisions.js';

/** The PIN step a verified caller typed their PIN at; past `notAfter` they hear the apology. */
type VerifiedStep = { callSid: string; from: string; notAfter: number };

// The owner of a right PIN: the PIN step's script admits them or reads why not; here the admission is
// followed up (`held`), or the refusal worded (`refused`).
export function createVerifiedCallers(deps: {
  policy: Policy;
  hours: SupportHours;
  /** A caller was just held: the pager looks now rather than at its next tick. */
  nudgePager: () => void;
  audit: AuditLog;
}) {
  const { policy, hours, nudgePager, audit } = deps;

  /** Why the owner of a right PIN cannot be put through now (undefined: they can). */
  function refusalFor(account: Account, user: User, now: number): Decision | undefined {
    if (!user.permissions.includes('manage_support')) return { kind: 'no_permission', name: user.name };
    if (policy.tiers[account.sla]?.phoneSupport !== true) return { kind: 'plan_without_phone', name: user.name };
    if (!hours.isOpen(account.sla, now)) {
      return { kind: 'plan_closed', name: user.name, tier: account.sla, opensAt: hours.nextChange(account.sla, now), decidedAt: now };
    }
    return undefined;
  }

  /** A right PIN the step did not admit: the refusal and its events. The caller keeps the PIN. */
  function refused(at: VerifiedStep, owner: PinOwner, account: Account | undefined, user: User | undefined, now: number) {
    const who = { from: at.from, ...owner };
    const refuse = (decision: Decision, tier?: string): { decision: Decision; events: AuditInput[] } => ({
      decision,
      events: [
        ...(user === undefined ? [] : [{ type: 'pin_verified', callSid: at.callSid, ...who } as const]),
        ...rejection(at.callSid, decision, { ...who, tier }),
      ],
    });
    if (account === undefined || user === undefined) return refuse({ kind: 'user_gone' });
    const refusal = refusalFor(account, user, now);
    // The step admits whoever has no refusal, with the same tiers open at the same `now`.
    if (refusal === undefined) throw new Error('the PIN step refused a caller who may be put through');
    return refuse(refusal, account.sla);
  }

  /**
   * The caller is held and will be paged whatever happens to this process now, unless Redis answered
   * too late for them to hear it: then the apology, and the PIN's lease lapses unconfirmed.
   */
  function held(at: VerifiedStep, owner: PinOwner, tier: string, decision: Decision): Decision {
    const { callSid, from } = at;
    if (Date.now() > at.notAfter) return { kind: 'apology' };
    setImmediate(nudgePager);
    const who = { from, accountId: owner.accountId, userId: owner.userId };
    audit.recordSoon({ type: 'pin_verified', callSid, ...who }, { type: 'enqueued', callSid, ...who, tier });
    return decision;
  }

  /** The tiers a caller may be put through on at `now`: with phone support, and open. */
  const openTiers = (now: number): string[] =>
    Object.keys(policy.tiers).filter((tier) => policy.tiers[tier]?.phoneSupport === true && hours.isOpen(tier, now));

  return { refused, held, openTiers };
}

export type VerifiedCallers = ReturnType<typeof createVerifiedCallers>;
