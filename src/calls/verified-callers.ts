import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { LineCopy } from '../directory/line-copy.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Logger } from '../logger.js';
import type { CallQueue } from '../oncall/call-queue.js';
import { ownQueueName } from '../oncall/own-queue.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import { UNDO_WINDOW_MS, type Admissions } from './admission.js';
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
  log: Logger;
}

/** The PIN step a verified caller typed their PIN at. */
export interface VerifiedStep {
  callSid: string;
  from: string;
  step: string;
  /** Epoch ms (real time) after which a PIN used up is given back: the caller hears the apology. */
  notAfter: number;
  /** The request's own mark on what it admits, so that it gives back only its own admission. */
  token: string;
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

/**
 * The pauses between tries of a give-back while Redis is unreachable: doubling from 1 s to
 * 8 s, for as long as the PIN's undo record lasts (UNDO_WINDOW_MS, less 10 s for the tries
 * themselves). Later, the caller could still be freed from the line but the PIN not restored.
 */
export const GIVE_BACK_PAUSES_MS: readonly number[] = (() => {
  const pauses: number[] = [];
  for (let total = 0, pause = 1_000; total + pause <= UNDO_WINDOW_MS - 10_000; total += pause, pause = Math.min(pause * 2, 8_000)) {
    pauses.push(pause);
  }
  return pauses;
})();

export function createVerifiedCallers(deps: VerifiedCallersDeps) {
  const { clock, policy, hours, directory, copy, admissions, queue, audit, log } = deps;

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
    let admitted: boolean;
    try {
      // One script: the PIN used up, the caller held for the pager, the step's decision recorded.
      admitted = await admissions.admit({ callSid, step, pinHash, owner: found, caller, decision, now, notAfter: at.notAfter, token: at.token });
    } catch (error) {
      // Timed out: Redis may have admitted the caller and only the answer be slow. The caller hears
      // the apology, so undo it (a no-op if this request admitted nobody).
      giveBack(at);
      throw error;
    }
    if (!admitted) return { kind: 'already_used' };
    return { kind: 'held', decision: held(at, found, account.sla, decision) };
  }

  /**
   * The caller is held and will be paged whatever happens to this process now, unless Redis
   * answered too late for them to hear it. The audit and the pager's nudge follow the answer.
   */
  function held(at: VerifiedStep, owner: PinOwner, tier: string, decision: Decision): Decision {
    const { callSid, from } = at;
    if (Date.now() > at.notAfter) {
      giveBack(at);
      return { kind: 'apology' };
    }
    setImmediate(() => {
      queue.held();
    });
    const who = { from, accountId: owner.accountId, userId: owner.userId };
    audit.recordSoon({ type: 'pin_verified', callSid, ...who }, { type: 'enqueued', callSid, ...who, tier });
    return decision;
  }

  /**
   * Redis may have admitted the caller, but its answer came back too late, or not at all, to put
   * them through: they hear the apology, so they are not held and keep the PIN. The undo runs
   * after the admission on the same connection (a no-op if this request admitted nobody), and is
   * retried while Redis is unreachable, for as long as the PIN can still be restored.
   */
  function giveBack(at: VerifiedStep): void {
    const { callSid, step, token } = at;
    const attempt = async (tries: number): Promise<void> => {
      try {
        const restored = await admissions.giveBack({ callSid, step, now: clock.now(), token });
        log.warn({ callSid, restored }, 'a PIN step answered too late to put the caller through: anything it admitted is given back');
      } catch (error) {
        const pause = GIVE_BACK_PAUSES_MS[tries];
        if (pause === undefined) {
          log.error({ err: error, callSid }, 'a PIN step answered too late, and giving back what it admitted failed');
          return;
        }
        await sleep(pause);
        await attempt(tries + 1);
      }
    };
    void attempt(0);
  }

  return { putThrough, held, giveBack };
}

export type VerifiedCallers = ReturnType<typeof createVerifiedCallers>;
