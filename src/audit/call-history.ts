import { z } from 'zod';

// What the audit streams hold, and an account's calls folded from them. Only zod here: the console's
// page bundles this file for the call outcomes.

// Events never carry a PIN or the Digits a caller typed: the schema below has no field for them.
const AUDIT_EVENT_TYPES = [
  'call_received',
  'pin_failed',
  'pin_verified',
  'rejected',
  'enqueued',
  'paged',
  'accepted',
  'declined',
  'connected',
  'abandoned',
  'timed_out',
  'completed',
  // A verified caller nobody took: their message, and a sysadmin calling them back.
  'voicemail',
  'called_back',
] as const;

export const auditEventSchema = z.object({
  type: z.enum(AUDIT_EVENT_TYPES),
  at: z.number(),
  callSid: z.string(),
  from: z.string().optional(),
  accountId: z.string().optional(),
  userId: z.string().optional(),
  tier: z.string().optional(),
  reason: z.string().optional(),
  sysadminId: z.string().optional(),
  waitSeconds: z.number().optional(),
  durationSeconds: z.number().optional(),
  callStatus: z.string().optional(),
  recordingUrl: z.string().optional(),
  recordingSeconds: z.number().optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const CALL_OUTCOMES = [
  'in_progress', 'queued', 'connected', 'rejected', 'abandoned', 'timed_out', 'completed',
] as const;

/** One call of an account, as `GET /v1/accounts/{id}/calls` shows it, folded from the audit events. */
export const callSummarySchema = z.object({
  callSid: z.string(),
  startedAt: z.iso.datetime(),
  userId: z.string().nullable(),
  outcome: z.enum(CALL_OUTCOMES),
  reason: z.string().nullable().meta({ description: 'Why the call was rejected, if it was.' }),
  waitSeconds: z.number().nullable(),
  durationSeconds: z.number().nullable(),
  sysadminId: z.string().nullable(),
  voicemail: z
    .object({ url: z.string(), seconds: z.number() })
    .nullable()
    .meta({ description: 'The message a caller nobody took left (Twilio recording URL and length).' }),
  callback: z
    .object({ sysadminId: z.string(), at: z.iso.datetime() })
    .nullable()
    .meta({ description: 'A sysadmin who called the missed caller back and spoke with them.' }),
});
export type CallSummary = z.infer<typeof callSummarySchema>;

/** Folds events (oldest first) into one summary per call, newest call first. */
export function summariseCalls(events: AuditEvent[]): CallSummary[] {
  const calls = new Map<string, CallSummary>();
  for (const event of events) {
    const call = calls.get(event.callSid) ?? {
      callSid: event.callSid,
      startedAt: new Date(event.at).toISOString(),
      userId: null,
      outcome: 'in_progress',
      reason: null,
      waitSeconds: null,
      durationSeconds: null,
      sysadminId: null,
      voicemail: null,
      callback: null,
    };
    calls.set(event.callSid, call);
    if (event.userId !== undefined) call.userId = event.userId;
    if (event.waitSeconds !== undefined) call.waitSeconds = event.waitSeconds;
    switch (event.type) {
      case 'rejected':
        call.outcome = 'rejected';
        call.reason = event.reason ?? null;
        break;
      case 'enqueued':
        call.outcome = 'queued';
        break;
      case 'connected':
        call.outcome = 'connected';
        call.sysadminId = event.sysadminId ?? null;
        break;
      case 'abandoned':
      case 'timed_out':
        call.outcome = event.type;
        break;
      case 'voicemail':
        call.voicemail = { url: event.recordingUrl ?? '', seconds: event.recordingSeconds ?? 0 };
        break;
      case 'called_back':
        call.callback = { sysadminId: event.sysadminId ?? '', at: new Date(event.at).toISOString() };
        break;
      case 'completed':
        call.durationSeconds = event.durationSeconds ?? null;
        // A call that was only queued and then ended normally was completed; other endings stay as they were.
        if (call.outcome === 'in_progress' || call.outcome === 'queued') call.outcome = 'completed';
        break;
    }
  }
  return [...calls.values()].reverse();
}
