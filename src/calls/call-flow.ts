import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { LineCopy } from '../directory/line-copy.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Logger } from '../logger.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { CallQueue } from '../oncall/call-queue.js';
import { ownQueueName } from '../oncall/own-queue.js';
import type { AbuseLimits, MissDecisions, PinStep } from './abuse-limits.js';
import type { Admissions } from './admission.js';
import type { CallState, CallStates } from './call-state.js';
import { REJECT_REASONS, type Decision } from './decisions.js';

/**
 * The caller's side of the line, SPEC section 4, as decisions. Each step claims
 * itself first, so a retried or duplicated webhook gets the first decision and
 * counts nothing twice; then it decides and records the decision. Nothing here
 * knows about HTTP or TwiML.
 */
export interface CallFlowDeps {
  clock: Clock;
  policy: Policy;
  hours: SupportHours;
  directory: DirectoryStore;
  /** The line's copy of the directory: filled from what a call had to read itself. */
  copy: LineCopy;
  admissions: Admissions;
  calls: CallStates;
  limits: AbuseLimits;
  audit: AuditLog;
  queue: CallQueue;
  log: Logger;
}

export interface PinEntry {
  callSid: string;
  from: string;
  digits: string;
  attempt: number;
  /**
   * Epoch ms (real time) after which Redis must not use the PIN up, and after which a PIN
   * used up is given back: the caller will have heard, or is about to hear, the apology.
   */
  notAfter: number;
}

const GIVE_BACK_TRIES = 5;
const GIVE_BACK_PAUSE_MS = 1_000;

/** Failures decided here rather than by the guess check (which decides 'not_recognised'). */
type FailReason = 'already_used' | 'bad_account_code';

interface Attempt {
  callSid: string;
  from: string;
  step: string;
  attempt: number;
  state: CallState;
}

export function createCallFlow(deps: CallFlowDeps) {
  const { clock, policy, hours, directory, copy, admissions, calls, limits, audit, queue, log } = deps;
  const tierNames = Object.keys(policy.tiers);
  // Only a string of exactly the PIN's length can be a PIN; anything else is not looked up.
  const pinShape = new RegExp(`^\\d{${String(policy.pin.digits)}}$`);
  const codeShape = new RegExp(`^\\d{${String(policy.line.accountCodeDigits)}}$`);
  const rejection = (callSid: string, decision: Decision, facts: Partial<AuditInput> = {}): AuditInput[] => {
    const reason = REJECT_REASONS[decision.kind];
    return reason === undefined ? [] : [{ type: 'rejected', callSid, reason, ...facts }];
  };

  /** Incoming call: turned away (locked out, line closed) or asked for the PIN (or the account code first). */
  async function answer(call: { callSid: string; from: string }): Promise<Decision> {
    const [claim, status] = await Promise.all([calls.claim(call.callSid, 'voice'), limits.incoming(call.from, call.callSid)]);
    if (claim.kind === 'decided') return claim.decision;

    const decision: Decision = status.lockedOut
      ? { kind: 'locked_out' }
      : !hours.isLineOpen(clock.now())
        ? { kind: 'line_closed' }
        : status.partitioned
          ? { kind: 'ask_account_code', attempt: 1, retry: false }
          : { kind: 'ask_pin', attempt: 1, retry: false };
    await Promise.all([
      calls.record(call.callSid, { step: 'voice', decision }),
      audit.record(
        { type: 'call_received', callSid: call.callSid, from: call.from },
        ...rejection(call.callSid, decision, { from: call.from }),
      ),
    ]);
    return decision;
  }

  /** Why the owner of a valid PIN cannot be put through now, checked against the directory as it is. */
  function refusalFor(account: Account, user: User, now: number): Decision | undefined {
    if (!user.permissions.includes('manage_support')) return { kind: 'no_permission', name: user.name };
    if (policy.tiers[account.sla]?.phoneSupport !== true) return { kind: 'plan_without_phone', name: user.name };
    if (!hours.isOpen(account.sla, now)) {
      return { kind: 'plan_closed', name: user.name, tier: account.sla, opensAt: hours.nextChange(account.sla, now), decidedAt: now };
    }
    return undefined;
  }

  /** What a miss at this attempt may decide; the guess check's script picks one and records it. */
  const missDecisions = (attempt: number): MissDecisions => ({
    askPin: { kind: 'ask_pin', attempt: attempt + 1, retry: true },
    askAccountCode: { kind: 'ask_account_code', attempt: attempt + 1, retry: true },
  });

  /**
   * What the caller typed at a PIN (or account code) prompt. The step's claim, the guess check,
   * a wrong PIN's decision and, when the line's copy of the directory vouches for the PIN's
   * owner, the admission are one script: a wrong PIN and a right one take one round trip.
   */
  async function checkPin(entry: PinEntry): Promise<Decision> {
    const { callSid, from, digits, attempt } = entry;
    const step = `pin:${String(attempt)}`;
    const candidate = pinShape.test(digits) ? digits : undefined;
    const now = clock.now();
    let checked: PinStep;
    try {
      checked = await limits.checkPinStep({
        from,
        callSid,
        step,
        attempt,
        pin: candidate,
        typed: digits !== '',
        decisions: missDecisions(attempt),
        admit: { openTiers: tierNames.filter((tier) => hours.isOpen(tier, now)), queue: ownQueueName(callSid) },
        notAfter: entry.notAfter,
      });
    } catch (error) {
      // The step's reply was lost: the caller hears the apology, so an admission it may have made is undone.
      if (candidate !== undefined) giveBack(callSid, step);
      throw error;
    }
    if (checked.kind === 'decided') return checked.decision;
    const at: Attempt = { callSid, from, step, attempt, state: checked.state };

    const askedForCode = Object.values(at.state.steps).some((d) => d.kind === 'ask_account_code' && d.attempt === attempt);
    // Silence, or a lone # (a stray one after the last PIN lands here): asked again, no attempt spent.
    if (digits === '') return nothingTyped(at, askedForCode);
    if (askedForCode) return accountCodeTyped(at, digits);

    const guess = checked.guess;
    if (guess === undefined) throw new Error('a PIN typed at a PIN prompt was not checked');
    switch (guess.kind) {
      case 'locked_out':
      case 'exhausted': {
        const decision: Decision = guess.kind === 'locked_out' ? { kind: 'locked_out' } : { kind: 'pins_unavailable' };
        await settle(callSid, step, decision, rejection(callSid, decision, { from }));
        return decision;
      }
      case 'account_code': {
        // The PIN was not checked, so the attempt is not spent: the same PIN works after the code.
        const decision: Decision = { kind: 'ask_account_code', attempt: attempt + 1, retry: false };
        await settle(callSid, step, decision, []);
        return decision;
      }
      case 'miss': {
        // Counted and recorded by the check itself; its audit follows the answer.
        const { decision } = guess;
        const events = [{ type: 'pin_failed', callSid, from, reason: 'not_recognised' } as const, ...rejection(callSid, decision, { from })];
        audit.recordSoon(...events);
        return decision;
      }
      case 'admitted':
        return held(at, entry, guess.owner, guess.tier, guess.decision);
      case 'hit':
        break;
    }
    // A hit only comes for digits of a PIN's shape: others are counted as misses without a look-up.
    return putThrough(at, entry, guess.pinHash, guess.owner);
  }

  /**
   * A hit the line's copy could not vouch for (no copy yet, a directory change in flight, or a
   * caller to refuse): the directory is read as it is, and the copy filled from it.
   */
  async function putThrough(at: Attempt, entry: PinEntry, pinHash: string, found: PinOwner): Promise<Decision> {
    const { callSid, from, step } = at;
    const readBegan = copy.now();
    // One round trip: the account, the caller and the admin contact's name (for the briefing).
    const facts = await directory.getCaller(found.accountId, found.userId);
    void copy.fill(found.accountId, found.userId, facts, readBegan);
    const { account, user, adminContactName } = facts;
    const who = { from, accountId: found.accountId, userId: found.userId };
    const now = clock.now();
    // A refused caller keeps the PIN: they may call again when the plan's line is open.
    const refuse = async (decision: Decision, tier?: string): Promise<Decision> => {
      await settle(callSid, step, decision, [
        ...(user === undefined ? [] : [{ type: 'pin_verified', callSid, ...who } as const]),
        ...rejection(callSid, decision, { ...who, ...(tier === undefined ? {} : { tier }) }),
      ]);
      return decision;
    };
    if (account === undefined || user === undefined) return refuse({ kind: 'user_gone' });
    const refusal = refusalFor(account, user, now);
    if (refusal !== undefined) return refuse(refusal, account.sla);

    const decision: Decision = { kind: 'enqueue', name: user.name, queue: ownQueueName(callSid) };
    const caller = queue.waitingCaller({ callSid, account, user, adminContactName, at: now });
    const admission = { callSid, step, pinHash, owner: found, caller, decision, now, notAfter: entry.notAfter };
    let admitted: boolean;
    try {
      // One script: the PIN used up, the caller held for the pager, the step's decision recorded.
      admitted = await admissions.admit(admission);
    } catch (error) {
      // Timed out: Redis may have admitted the caller and only the answer be slow. The caller hears
      // the apology, so undo it (a no-op if it was not admitted by this call).
      giveBack(callSid, step);
      throw error;
    }
    if (!admitted) return failAttempt(at, 'already_used');
    return held(at, entry, found, account.sla, decision);
  }

  /**
   * The caller is held and will be paged whatever happens to this process now, unless Redis
   * answered too late for them to hear it. The audit and the pager's nudge follow the answer.
   */
  function held(at: Attempt, entry: PinEntry, owner: PinOwner, tier: string, decision: Decision): Decision {
    const { callSid, from, step } = at;
    if (Date.now() > entry.notAfter) {
      giveBack(callSid, step);
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
   * Redis admitted the caller, but its answer came back too late, or not at all, to put them
   * through: they hear the apology, so they are not held and keep the PIN. The undo runs after
   * the admission on the same connection, and is retried a few times while Redis is unreachable.
   */
  function giveBack(callSid: string, step: string): void {
    const attempt = async (tries: number): Promise<void> => {
      try {
        const restored = await admissions.giveBack({ callSid, step, now: clock.now() });
        log.warn({ callSid, restored }, 'a PIN use answered too late to put the caller through: given back');
      } catch (error) {
        if (tries >= GIVE_BACK_TRIES) {
          log.error({ err: error, callSid }, 'a PIN use answered too late, and giving it back failed');
          return;
        }
        await sleep(GIVE_BACK_PAUSE_MS * tries);
        await attempt(tries + 1);
      }
    };
    void attempt(1);
  }

  async function nothingTyped(at: Attempt, askedForCode: boolean): Promise<Decision> {
    const { callSid, from, step, attempt, state } = at;
    const next = attempt + 1;
    const decision: Decision = state.empties + 1 >= policy.pin.attemptsPerCall
      ? { kind: 'too_many_attempts' }
      : askedForCode
        ? { kind: 'ask_account_code', attempt: next, retry: false }
        : { kind: 'ask_pin', attempt: next, retry: false, ...(state.accountCode === undefined ? {} : { afterCode: true }) };
    await settle(callSid, step, decision, [{ type: 'pin_failed', callSid, from, reason: 'empty' }, ...rejection(callSid, decision, { from })], undefined, 'empty');
    return decision;
  }

  async function accountCodeTyped(at: Attempt, digits: string): Promise<Decision> {
    if (!codeShape.test(digits)) return failAttempt(at, 'bad_account_code');
    // Any code of the right shape is taken: whether it is right shows only with the PIN, so
    // the code alone tells a guesser nothing.
    const decision: Decision = { kind: 'ask_pin', attempt: at.attempt + 1, retry: false, afterCode: true };
    await settle(at.callSid, at.step, decision, [], { accountCode: digits });
    return decision;
  }

  /**
   * A failure the guess check did not decide (a code of the wrong shape, a PIN another call used
   * up a moment before): counted against the call's attempts. Neither is a guess at a PIN: neither
   * counts toward the number's lockout or the line alarm, and the alarm's one attempt per call,
   * which bounds guessing, does not shorten them.
   */
  async function failAttempt(at: Attempt, reason: FailReason): Promise<Decision> {
    const { callSid, from, step, attempt, state } = at;
    const decision: Decision =
      state.failures + 1 >= policy.pin.attemptsPerCall
        ? { kind: 'too_many_attempts' }
        : state.accountCode === undefined
          ? { kind: 'ask_pin', attempt: attempt + 1, retry: true }
          : { kind: 'ask_account_code', attempt: attempt + 1, retry: true };
    await settle(
      callSid,
      step,
      decision,
      [{ type: 'pin_failed', callSid, from, reason }, ...rejection(callSid, decision, { from })],
      undefined,
      'failed',
    );
    return decision;
  }

  async function settle(
    callSid: string,
    step: string,
    decision: Decision,
    events: AuditInput[],
    facts?: Parameters<CallStates['record']>[1]['facts'],
    counts?: 'failed' | 'empty',
  ): Promise<void> {
    await Promise.all([
      calls.record(callSid, {
        step,
        decision,
        failed: counts === 'failed',
        empty: counts === 'empty',
        ...(facts === undefined ? {} : { facts }),
      }),
      audit.record(...events),
    ]);
  }

  return { answer, checkPin };
}

export type CallFlow = ReturnType<typeof createCallFlow>;
