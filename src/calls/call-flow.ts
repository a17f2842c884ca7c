import type { AuditInput, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Policy } from '../policy/policy-schema.js';
import type { AbuseLimits } from './abuse-limits.js';
import type { CallState, CallStates } from './call-state.js';
import { rejection, withOwnQueue, type Decision } from './decisions.js';
import type { VerifiedCallers } from './verified-callers.js';

export interface PinEntry {
  callSid: string;
  from: string;
  digits: string;
  attempt: number;
  /** Epoch ms (real time) after which Redis must not use the PIN up, and the caller hears the apology. */
  notAfter: number;
}

type Attempt = Pick<PinEntry, 'callSid' | 'from' | 'attempt'> & { step: string; state: CallState };

// The caller's side of the line (SPEC section 4) as decisions. Each step claims itself first, so a
// retried or duplicated webhook gets the first decision and counts nothing twice.
export function createCallFlow(deps: {
  clock: Clock;
  policy: Policy;
  hours: SupportHours;
  verified: VerifiedCallers;
  calls: CallStates;
  limits: AbuseLimits;
  audit: AuditLog;
}) {
  const { clock, policy, hours, verified, calls, limits, audit } = deps;
  // Only a string of exactly the PIN's length can be a PIN; anything else is not looked up.
  const pinShape = new RegExp(`^\\d{${String(policy.pin.digits)}}$`);
  const codeShape = new RegExp(`^\\d{${String(policy.line.accountCodeDigits)}}$`);

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

  /** What the caller typed at a PIN (or account code) prompt: a wrong PIN and a right one take one round trip. */
  async function decidePin(entry: PinEntry): Promise<Decision> {
    const { callSid, from, digits, attempt } = entry;
    const step = `pin:${String(attempt)}`;
    const candidate = pinShape.test(digits) ? digits : undefined;
    const now = clock.now();
    const verifiedStep = { callSid, from, notAfter: entry.notAfter };
    // A reply that never comes: the caller hears the apology, and an admission the step may have made lapses unconfirmed.
    const checked = await limits.checkPinStep({
      from,
      callSid,
      step,
      attempt,
      pin: candidate,
      typed: digits !== '',
      // Only a PIN can be admitted: the tiers' hours are worked out for nothing else.
      openTiers: candidate === undefined ? [] : verified.openTiers(now),
      notAfter: entry.notAfter,
    });
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
      case 'code_retired': {
        // A retired code's PIN is not checked: the caller needs a new PIN, shown with the new code.
        const decision: Decision = guess.kind === 'locked_out' ? { kind: 'locked_out' } : { kind: 'account_code_changed' };
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
        audit.recordSoon(...failed(at, 'not_recognised', decision));
        return decision;
      }
      case 'admitted':
        return verified.held(verifiedStep, guess.owner, guess.tier, guess.decision);
      case 'hit': {
        const { decision, events } = verified.refused(verifiedStep, guess.owner, guess.account, guess.user, now);
        await settle(callSid, step, decision, events);
        return decision;
      }
    }
  }

  async function nothingTyped(at: Attempt, askedForCode: boolean): Promise<Decision> {
    const { callSid, step, attempt, state } = at;
    const next = attempt + 1;
    const decision: Decision = state.empties + 1 >= policy.pin.attemptsPerCall
      ? { kind: 'too_many_attempts' }
      : askedForCode
        ? { kind: 'ask_account_code', attempt: next, retry: false }
        : { kind: 'ask_pin', attempt: next, retry: false, ...(state.accountCode === undefined ? {} : { afterCode: true }) };
    await settle(callSid, step, decision, failed(at, 'empty', decision), { empty: true });
    return decision;
  }

  async function accountCodeTyped(at: Attempt, digits: string): Promise<Decision> {
    const { callSid, step, attempt, state } = at;
    // Any code of the right shape is taken: whether it is right shows only with the PIN, so it tells a guesser nothing.
    if (codeShape.test(digits)) {
      const decision: Decision = { kind: 'ask_pin', attempt: attempt + 1, retry: false, afterCode: true };
      await settle(callSid, step, decision, [], { accountCode: digits });
      return decision;
    }
    // A code of the wrong shape is no guess at a PIN: it costs an attempt, but neither the number's
    // lockout nor the line alarm counts it, and the alarm's one attempt per call does not shorten it.
    const decision: Decision =
      state.failures + 1 >= policy.pin.attemptsPerCall
        ? { kind: 'too_many_attempts' }
        : state.accountCode === undefined
          ? { kind: 'ask_pin', attempt: attempt + 1, retry: true }
          : { kind: 'ask_account_code', attempt: attempt + 1, retry: true };
    await settle(callSid, step, decision, failed(at, 'bad_account_code', decision), { failed: true });
    return decision;
  }

  const failed = ({ callSid, from }: Attempt, reason: string, decision: Decision): AuditInput[] => [
    { type: 'pin_failed', callSid, from, reason },
    ...rejection(callSid, decision, { from }),
  ];

  type Also = Pick<Parameters<CallStates['record']>[1], 'failed' | 'empty' | 'accountCode'>;
  async function settle(callSid: string, step: string, decision: Decision, events: AuditInput[], also: Also = {}) {
    await Promise.all([calls.record(callSid, { step, decision, ...also }), audit.record(...events)]);
  }

  /** The PIN step's decision, an enqueue with the call's own queue (it is stored without: storedDecision). */
  const checkPin = async (entry: PinEntry): Promise<Decision> => withOwnQueue(await decidePin(entry), entry.callSid);

  return { answer, checkPin };
}

export type CallFlow = ReturnType<typeof createCallFlow>;
