import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { LineCopy } from '../directory/line-copy.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { CallQueue } from '../oncall/call-queue.js';
import { ownQueueName } from '../oncall/own-queue.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Admissions } from './admission.js';
import { rejection, type Decision } from './decisions.js';

/**
 * The owner of a valid PIN, put through to a sysadmin or refused. Usually the PIN step's
 * script has already admitted them on the line's copy of the directory (`held` then only
 * follows up); otherwise (`putThrough`) the directory is read as it is, the copy filled from
 * it, and the caller refused or admitted by a script of its own.
 */
export interface VerifiedCallersDeps {
  clock: Clock;
  policy: Policy;
  hours: SupportHours;
  directory: DirectoryStore;
  /** The line's copy of the directory: filled from what a call had to read itself. */
  copy: LineCopy;
  admissions: Admissions;
  queue: CallQueue;
  audit: AuditLog;
}

/** The PIN step a verified caller typed their PIN at. */
export interface VerifiedStep {
  callSid: string;
  from: string;
  step: string;
  /** Epoch ms (real time) after which the caller hears the apology (what was admitted lapses on its own). */
  notAfter: number;
}

/**
 * What putting a verified caller through came to: held (the answer), refused (the answer, and
 * the events the call flow records with it; the PIN is kept), or the PIN used up by another
 * call a moment before.
 */
export type PutThrough =
  | { kind: 'held'; decision: Decision }
  | { kind: 'refused'; decision: Decision; events: AuditInput[] }
  | { kind: 'already_used' };

export function createVerifiedCallers(deps: VerifiedCallersDeps) {
  const { clock, policy, hours, directory, copy, admissions, queue, audit } = deps;

  /** Why the owner of a valid PIN cannot be put through now, checked against the directory as it is. */
  function refusalFor(account: Account, user: User, now: number): Decision | undefined {
    if (!user.permissions.includes('manage_support')) return { kind: 'no_permission', name: user.name };
    if (policy.tiers[account.sla]?.phoneSupport !== true) return { kind: 'plan_without_phone', name: user.name };
    if (!hours.isOpen(account.sla, now)) {
      return { kind: 'plan_closed', name: user.name, tier: account.sla, opensAt: hours.nextChange(account.sla, now), decidedAt: now };
    }
    return undefined;
  }

  /**
   * A hit the line's copy could not vouch for (no copy yet, a directory change in flight, or a
   * caller to refuse): the directory is read as it is, and the copy filled from it.
   */
  async function putThrough(at: VerifiedStep, pinHash: string, found: PinOwner): Promise<PutThrough> {
    const { callSid, from, step } = at;
    // One round trip: the account, the caller and the admin contact's name (for the briefing).
    const facts = await directory.getCaller(found.accountId, found.userId);
    void copy.fill(found.accountId, found.userId, facts);
    const { account, user, adminContactName } = facts;
    const who = { from, accountId: found.accountId, userId: found.userId };
    const now = clock.now();
    // A refused caller keeps the PIN: they may call again when the plan's line is open.
    const refuse = (decision: Decision, tier?: string): PutThrough => ({
      kind: 'refused',
      decision,
      events: [
        ...(user === undefined ? [] : [{ type: 'pin_verified', callSid, ...who } as const]),
        ...rejection(callSid, decision, { ...who, ...(tier === undefined ? {} : { tier }) }),
      ],
    });
    if (account === undefined || user === undefined) return refuse({ kind: 'user_gone' });
    const refusal = refusalFor(account, user, now);
    if (refusal !== undefined) return refuse(refusal, account.sla);

    const decision: Decision = { kind: 'enqueue', name: user.name, queue: ownQueueName(callSid) };
    const caller = queue.waitingCaller({ callSid, account, user, adminContactName, at: now });
    // One script: the PIN leased, the caller held for the pager, the step's decision recorded. If its
    // answer comes too late, the caller hears the apology and fetches no wait URL: the lease lapses.
    const admitted = await admissions.admit({ callSid, step, pinHash, owner: found, caller, decision, now, notAfter: at.notAfter });
    if (!admitted) return { kind: 'already_used' };
    return { kind: 'held', decision: held(at, found, account.sla, decision) };
  }

  /**
   * The caller is held and will be paged whatever happens to this process now, unless Redis
   * answered too late for them to hear it: then the apology, and the PIN's lease lapses unconfirmed
   * (no wait-URL fetch ever comes). The audit and the pager's nudge follow the answer.
   */
  function held(at: VerifiedStep, owner: PinOwner, tier: string, decision: Decision): Decision {
    const { callSid, from } = at;
    if (Date.now() > at.notAfter) return { kind: 'apology' };
    setImmediate(() => {
      queue.held();
    });
    const who = { from, accountId: owner.accountId, userId: owner.userId };
    audit.recordSoon({ type: 'pin_verified', callSid, ...who }, { type: 'enqueued', callSid, ...who, tier });
    return decision;
  }

  return { putThrough, held };
}

export type VerifiedCallers = ReturnType<typeof createVerifiedCallers>;
