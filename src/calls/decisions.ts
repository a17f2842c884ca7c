import { ownQueueName } from '../oncall/own-queue.js';
import type { AuditInput } from '../audit/audit-log.js';

/** What the line decides at each step of a call; src/ivr/render-twiml.ts turns it into TwiML. */
export type Decision =
  | { kind: 'ask_pin'; attempt: number; retry: boolean; afterCode?: boolean }
  // Once the line's PIN-only guess budget is spent, the account code first (docs/security.md "The guessing bound").
  | { kind: 'ask_account_code'; attempt: number; retry: boolean }
  // The account code typed was retired after guessing spent its allowance: a new PIN shows the new code.
  | { kind: 'account_code_changed' }
  | { kind: 'line_closed' }
  | { kind: 'locked_out' }
  | { kind: 'too_many_attempts' }
  | { kind: 'user_gone' }
  | { kind: 'no_permission'; name: string }
  | { kind: 'plan_without_phone'; name: string }
  | { kind: 'plan_closed'; name: string; tier: string; opensAt: number | null; decidedAt: number }
  // A Twilio queue of the caller's own, so only an action for them connects them; stored as '' (storedDecision).
  | { kind: 'enqueue'; name: string; queue: string }
  // position: the caller's place in line across plans (null when it cannot be read just now).
  | { kind: 'hold'; position: number | null; pauseSeconds: number; music: boolean }
  | { kind: 'leave_queue' }
  | { kind: 'timed_out' }
  // A verified caller nobody took: a message after the tone, then what happens next.
  | { kind: 'offer_voicemail'; maxSeconds: number }
  | { kind: 'voicemail_left' }
  | { kind: 'hang_up' }
  | { kind: 'apology' }
  | { kind: 'nothing' };

/** Why a call was turned away, as the audit stream and call history say it. */
const REJECT_REASONS: Partial<Record<Decision['kind'], string>> = {
  locked_out: 'locked_out',
  line_closed: 'line_closed',
  too_many_attempts: 'attempts_exhausted',
  user_gone: 'user_gone',
  no_permission: 'permission_required',
  plan_without_phone: 'sla_not_eligible',
  plan_closed: 'plan_closed',
  account_code_changed: 'account_code_changed',
};

/** The `rejected` audit event a decision implies, if it turns the call away. */
export function rejection(callSid: string, decision: Decision, facts: Partial<AuditInput> = {}): AuditInput[] {
  const reason = REJECT_REASONS[decision.kind];
  return reason === undefined ? [] : [{ type: 'rejected', callSid, reason, ...facts }];
}

// Stored without its queue name (the call's own), the state's values stay within a compact hash's 64 B.
export const storedDecision = (decision: Decision): string =>
  JSON.stringify(decision.kind === 'enqueue' ? { ...decision, queue: '' } : decision);

/** A stored enqueue decision with the call's own queue again. */
export const withOwnQueue = (decision: Decision, callSid: string): Decision =>
  decision.kind === 'enqueue' && decision.queue === '' ? { ...decision, queue: ownQueueName(callSid) } : decision;
