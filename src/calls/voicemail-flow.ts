import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CallEvents } from '../oncall/call-events.js';
import type { MissedCallers, MissedReason } from '../oncall/missed-callers.js';
import type { WaitingCaller } from '../oncall/waiting-callers.js';

// A verified caller nobody took is recorded as missed and may leave a message, which Twilio's
// recording callback attaches to the missed call.
export function createVoicemailFlow(deps: { missed: MissedCallers; events: CallEvents; audit: AuditLog; clock: Clock; log: Logger }) {
  const { missed, events, audit, clock, log } = deps;

  return {
    /** A verified caller left without reaching anyone (once per call: a retry records nothing more). */
    async callerMissed(caller: WaitingCaller, facts: { from: string; waitSeconds: number; reason: MissedReason }): Promise<void> {
      const call = {
        callSid: caller.callSid,
        accountId: caller.accountId,
        accountName: caller.accountName,
        userId: caller.userId,
        userName: caller.userName,
        from: facts.from,
        at: clock.now(),
        waitSeconds: facts.waitSeconds,
        reason: facts.reason,
      };
      // Sent on every try (its id comes from the CallSid, so the outbox keeps it once).
      await events.missed(await missed.record(call));
    },

    /** Twilio's recording callback: the message is ready. Unknown calls are refused, nothing recorded. */
    async recordingReady(recording: { callSid: string; recordingSid: string; url: string; seconds: number; status: string }): Promise<void> {
      if (recording.status !== 'completed') return;
      const attached = await missed.attachVoicemail(recording.callSid, { url: recording.url, seconds: recording.seconds });
      const call = attached ?? (await missed.get(recording.callSid));
      if (call?.voicemail?.url !== recording.url) {
        log.warn({ callSid: recording.callSid }, 'a recording for a call that is not a missed call (or has another one): ignored');
        return;
      }
      // Audited once; the event on every try (kept once by the outbox, by id).
      if (attached !== undefined) {
        // Named by its RecordingSid: the URL may play the message to whoever reads the log.
        log.info({ callSid: call.callSid, recordingSid: recording.recordingSid, recordingSeconds: recording.seconds }, 'voicemail recorded');
        await audit.record({
          type: 'voicemail',
          callSid: call.callSid,
          accountId: call.accountId,
          userId: call.userId,
          recordingUrl: recording.url,
          recordingSeconds: recording.seconds,
        });
      }
      await events.voicemailRecorded({ ...call, recordingSid: recording.recordingSid });
    },
  };
}

export type VoicemailFlow = ReturnType<typeof createVoicemailFlow>;
