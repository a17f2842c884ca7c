import type { MissedCall } from './missed-callers.js';

/** What the call flows tell the control panel, through the events outbox (src/events/). */
export interface CallEvents {
  connected(call: { callSid: string; accountId: string; userId: string; sysadminId: string; waitSeconds: number }):
    Promise<unknown>;
  missed(call: MissedCall): Promise<unknown>;
  voicemailRecorded(call: MissedCall & { recordingSid: string }): Promise<unknown>;
  calledBack(call: MissedCall, callback: { sysadminId: string; callbackCallSid: string }): Promise<unknown>;
}
