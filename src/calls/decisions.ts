/**
 * What the line decides at each step of a call. Plain values: the IVR layer
 * (src/ivr/render-twiml.ts) turns them into TwiML, and the PIN and voice steps
 * are stored per call so a retried webhook gets the very same answer.
 */
export type Decision =
  | { kind: 'ask_pin'; attempt: number; retry: boolean }
  | { kind: 'line_closed' }
  | { kind: 'locked_out' }
  | { kind: 'too_many_attempts' }
  | { kind: 'user_gone' }
  | { kind: 'no_permission'; name: string }
  | { kind: 'plan_without_phone'; name: string }
  | { kind: 'plan_closed'; name: string; tier: string; opensAt: number | null; decidedAt: number }
  | { kind: 'enqueue'; name: string; tier: string }
  | { kind: 'hold'; position: number; pauseSeconds: number }
  | { kind: 'leave_queue' }
  | { kind: 'timed_out' }
  | { kind: 'hang_up' }
  | { kind: 'apology' }
  | { kind: 'nothing' }
  // The sysadmin side (src/oncall/agent-flow.ts).
  | { kind: 'agent_briefing'; sysadminId: string; about: string; briefing: Briefing }
  | { kind: 'agent_connect'; sysadminId: string; tier: string; changedTo?: Briefing }
  | { kind: 'agent_nobody_waiting' }
  | { kind: 'agent_goodbye' }
  | { kind: 'caller_connected' };

/** What a sysadmin hears about the caller at the head of the queue. */
export interface Briefing {
  accountName: string;
  userName: string;
  isAdminContact: boolean;
  adminContactName: string | null;
  tier: string;
  waitSeconds: number;
  othersWaiting: number;
}

/** Why a call was turned away, as the audit stream and call history say it. */
export type RejectReason =
  | 'locked_out'
  | 'line_closed'
  | 'attempts_exhausted'
  | 'user_gone'
  | 'permission_required'
  | 'sla_not_eligible'
  | 'plan_closed';

export const REJECT_REASONS: Partial<Record<Decision['kind'], RejectReason>> = {
  locked_out: 'locked_out',
  line_closed: 'line_closed',
  too_many_attempts: 'attempts_exhausted',
  user_gone: 'user_gone',
  no_permission: 'permission_required',
  plan_without_phone: 'sla_not_eligible',
  plan_closed: 'plan_closed',
};
