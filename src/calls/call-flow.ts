import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Logger } from '../logger.js';
import type { PinStore } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { CallQueue } from '../oncall/call-queue.js';
import type { AbuseLimits } from './abuse-limits.js';
import type { CallStates } from './call-state.js';
import { REJECT_REASONS, type Decision } from './decisions.js';

/**
 * The caller's side of the line, SPEC section 4, as decisions. Each step reads
 * what it needs in one round trip, decides, and records the decision so a
 * retried webhook gets the same answer. Nothing here knows about HTTP or TwiML.
 */
export interface CallFlowDeps {
  clock: Clock;
  policy: Policy;
  hours: SupportHours;
  directory: DirectoryStore;
  pins: PinStore;
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
  /** Epoch ms (real time) after which Redis must not use the PIN up: the caller will have heard an apology. */
  notAfter: number;
}

type FailReason = 'empty' | 'not_recognised' | 'already_used';

export function createCallFlow(deps: CallFlowDeps) {
  const { clock, policy, hours, directory, pins, calls, limits, audit, queue, log } = deps;
  // Only a string of exactly the PIN's length can be a PIN; anything else is not looked up.
  const pinShape = new RegExp(`^\\d{${String(policy.pin.digits)}}$`);
  const rejection = (callSid: string, decision: Decision, facts: Partial<AuditInput> = {}): AuditInput[] => {
    const reason = REJECT_REASONS[decision.kind];
    return reason === undefined ? [] : [{ type: 'rejected', callSid, reason, ...facts }];
  };

  /** Incoming call: turned away (locked out, line closed) or asked for the PIN. */
  async function answer(call: { callSid: string; from: string }): Promise<Decision> {
    const [state, status] = await Promise.all([calls.get(call.callSid), limits.status(call.from)]);
    const previous = state.steps.voice;
    if (previous !== undefined) return previous;

    const now = clock.now();
    const decision: Decision = status.lockedOut
      ? { kind: 'locked_out' }
      : !hours.isLineOpen(now)
        ? { kind: 'line_closed' }
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

  /** The digits of one PIN attempt. */
  async function checkPin(entry: PinEntry): Promise<Decision> {
    const { callSid, from, digits, attempt } = entry;
    const step = `pin:${String(attempt)}`;
    const candidate = pinShape.test(digits) ? digits : undefined;
    const [state, status, found] = await Promise.all([
      calls.get(callSid),
      limits.status(from),
      candidate === undefined ? undefined : pins.find(candidate),
    ]);
    const previous = state.steps[step];
    if (previous !== undefined) return previous;

    if (status.lockedOut) {
      const decision: Decision = { kind: 'locked_out' };
      await settle(callSid, step, decision, rejection(callSid, decision, { from }));
      return decision;
    }
    const attemptsAllowed = status.alarm ? 1 : policy.pin.attemptsPerCall;
    const fail = (reason: FailReason) =>
      failAttempt({ callSid, from, step, attempt, failures: state.failures, attemptsAllowed, lastChance: status.lastChance, reason });
    if (candidate === undefined || found === undefined) return fail(digits === '' ? 'empty' : 'not_recognised');

    const { account, user } = await directory.getMember(found.accountId, found.userId);
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

    if (!(await pins.consume(candidate, found, entry.notAfter))) return fail('already_used');
    const decision: Decision = { kind: 'enqueue', name: user.name, tier: account.sla };
    // The caller is through: answer now and keep the books just after, so nothing that fails
    // from here on can turn a consumed PIN into an apology, and the answer does not wait for it.
    setImmediate(() => void Promise.all([
      settle(
        callSid,
        step,
        decision,
        [
          { type: 'pin_verified', callSid, ...who },
          { type: 'enqueued', callSid, ...who, tier: account.sla },
        ],
        { accountId: account.id, userId: user.id },
      ),
      queue.enqueued({ callSid, account, user, at: now }),
    ]).catch((error: unknown) => {
      log.error({ err: error, callSid }, 'could not record an enqueued call');
    }));
    return decision;
  }

  async function failAttempt(attempt: {
    callSid: string;
    from: string;
    step: string;
    attempt: number;
    failures: number;
    attemptsAllowed: number;
    lastChance: boolean;
    reason: FailReason;
  }): Promise<Decision> {
    const { callSid, from, reason } = attempt;
    // An empty Gather is silence, not a guess: it costs the call an attempt but not the number.
    const guessed = reason !== 'empty';
    const decision: Decision = guessed && attempt.lastChance
      ? { kind: 'locked_out' }
      : attempt.failures + 1 >= attempt.attemptsAllowed
        ? { kind: 'too_many_attempts' }
        : { kind: 'ask_pin', attempt: attempt.attempt + 1, retry: true };
    await Promise.all([
      guessed ? limits.recordFailedPin(from, `${callSid}:${attempt.step}`) : undefined,
      settle(
        callSid,
        attempt.step,
        decision,
        [{ type: 'pin_failed', callSid, from, reason }, ...rejection(callSid, decision, { from })],
        undefined,
        true,
      ),
    ]);
    return decision;
  }

  async function settle(
    callSid: string,
    step: string,
    decision: Decision,
    events: AuditInput[],
    facts?: Parameters<CallStates['record']>[1]['facts'],
    failed = false,
  ): Promise<void> {
    await Promise.all([calls.record(callSid, { step, decision, failed, ...(facts === undefined ? {} : { facts }) }), audit.record(...events)]);
  }

  return { answer, checkPin };
}

export type CallFlow = ReturnType<typeof createCallFlow>;
