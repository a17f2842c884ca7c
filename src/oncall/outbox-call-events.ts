import { isWithheld } from '../caller-id.js';
import type { MISSED_REASONS } from '../events/event-catalogue.js';
import type { EventOutbox } from '../events/event-outbox.js';
import type { CallEvents } from './call-events.js';
import type { MissedReason } from './missed-callers.js';

const MISSED_REASON: Record<MissedReason, (typeof MISSED_REASONS)[number]> = {
  timed_out: 'timed_out',
  hung_up: 'hung_up',
  no_one_on_call: 'no_one_on_call',
  plan_closed: 'hours_ended',
  // The line failed them, not the rota: the catalogue's nearest reason.
  line_error: 'paging_failed',
};

/** A withheld number's placeholder (+266696687 is ANONYMOUS) is not a number: the event leaves it out. */
const callerNumber = (from: string) => (!isWithheld(from) && /^\+\d{7,15}$/.test(from) ? { callerNumber: from } : {});

// Each event's id derives from what it is about: a retried webhook emits the same id, kept once.
export function createOutboxCallEvents(outbox: EventOutbox): CallEvents {
  return {
    connected: (call) => outbox.emit(outbox.event('call.connected', call, call.callSid)),
    missed: (call) =>
      outbox.emit(
        outbox.event(
          'call.missed',
          { callSid: call.callSid, accountId: call.accountId, userId: call.userId, ...callerNumber(call.from), reason: MISSED_REASON[call.reason], waitSeconds: call.waitSeconds },
          call.callSid,
        ),
      ),
    voicemailRecorded: (call) =>
      outbox.emit(
        outbox.event(
          'voicemail.recorded',
          {
            callSid: call.callSid,
            accountId: call.accountId,
            userId: call.userId,
            ...callerNumber(call.from),
            recordingUrl: call.voicemail?.url ?? '',
            ...(/^RE[0-9a-fA-F]{32}$/.test(call.recordingSid) ? { recordingSid: call.recordingSid } : {}),
            durationSeconds: call.voicemail?.seconds ?? 0,
            waitSeconds: call.waitSeconds,
          },
          call.callSid,
        ),
      ),
    calledBack: (call, callback) =>
      outbox.emit(
        outbox.event(
          'callback.connected',
          { callSid: call.callSid, callbackCallSid: callback.callbackCallSid, accountId: call.accountId, userId: call.userId, ...callerNumber(call.from), sysadminId: callback.sysadminId },
          call.callSid,
        ),
      ),
  };
}
