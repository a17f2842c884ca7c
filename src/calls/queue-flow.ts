import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { MissedCallers } from '../oncall/missed-callers.js';
import type { PageFailures } from '../oncall/page-failures.js';
import type { Pager } from '../oncall/pager.js';
import type { QueueCleanup } from '../oncall/queue-cleanup.js';
import { waitedSeconds, type WaitingCallers } from '../oncall/waiting-callers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { CallStates } from './call-state.js';
import type { Decision } from './decisions.js';
import type { VoicemailFlow } from './voicemail-flow.js';

// The longest pause of one wait document: Twilio re-requests the wait URL only when its
// document ends, so this bounds how late the maximum wait and a heartbeat can be noticed.
const MAX_PAUSE_SECONDS = 15;

/**
 * The end of the caller's side, SPEC section 4 steps 3 and 4: waiting in their own queue,
 * leaving it (timed out, hung up, bridged), and the end of the call. Retried callbacks
 * repeat their answer but record their event once.
 */
export function createQueueFlow(deps: {
  policy: Policy;
  clock: Clock;
  calls: CallStates;
  waiting: WaitingCallers;
  pager: Pick<Pager, 'whyNobodyCanBePaged'>;
  failures: PageFailures;
  missed: MissedCallers;
  voicemail: VoicemailFlow;
  cleanup: QueueCleanup;
  audit: AuditLog;
  log: Logger;
}) {
  const { policy, clock, calls, waiting, pager, missed, voicemail, cleanup, audit, log } = deps;
  const musicSeconds = policy.queue.holdMusicSeconds ?? Number.POSITIVE_INFINITY;

  /**
   * The wait URL: the caller's place in line (callgate's, across plans: Twilio's
   * QueuePosition only counts the caller's own queue), then hold, until the maximum wait.
   * Each fetch also tells the pager the caller is still there. If Redis cannot say, the
   * caller still holds, just without a position.
   */
  async function waitInQueue(wait: { callSid: string; queueTime: number }): Promise<Decision> {
    const left = policy.queue.maxWaitSeconds - wait.queueTime;
    if (left <= 0) return { kind: 'leave_queue' };
    const now = clock.now();
    const [position, entry] = await Promise.all([waiting.seen(wait.callSid, now), waiting.get(wait.callSid)]).catch((error: unknown) => {
      log.warn({ err: error, callSid: wait.callSid }, 'could not read the place in line');
      return [null, undefined] as const;
    });
    // Nobody can be paged at all (no one on call, every page failed, the plan closed): a message now, not a long wait.
    const nobody = entry === undefined ? undefined : await pager.whyNobodyCanBePaged(entry.caller, now).catch(() => undefined);
    if (nobody !== undefined) {
      await missed.noteLeaving(wait.callSid, nobody);
      return { kind: 'leave_queue' };
    }
    const pauseSeconds = Math.min(MAX_PAUSE_SECONDS, Math.max(1, left));
    return { kind: 'hold', position, pauseSeconds, music: musicSeconds <= left };
  }

  /** What the audit knows of who is on a call, for its last events. */
  function who(state: { accountId?: string; userId?: string }) {
    return {
      ...(state.accountId === undefined ? {} : { accountId: state.accountId }),
      ...(state.userId === undefined ? {} : { userId: state.userId }),
    };
  }

  /** The Enqueue action: the caller has left their queue, one way or another. */
  async function leftQueue(left: { callSid: string; from: string; result: string; queueTime: number; queueSid: string | undefined }): Promise<Decision> {
    const decision: Decision =
      left.result === 'leave'
        ? { kind: 'offer_voicemail', maxSeconds: policy.voicemail.maxSeconds }
        : left.result === 'hangup' || left.result === 'bridged'
          ? { kind: 'hang_up' }
          : { kind: 'apology' };
    // Taken off the books, which says who they were.
    const [state, first, caller] = await Promise.all([
      calls.get(left.callSid),
      calls.record(left.callSid, { step: 'queue-result', decision }),
      waiting.remove(left.callSid),
      deps.failures.reset(left.callSid),
    ]);
    // A retried action repeats the answer but not the event.
    if (!first) return state.steps['queue-result'] ?? decision;
    if (left.queueSid !== undefined) await cleanup.callerLeft(left.queueSid, clock.now());
    const facts = { callSid: left.callSid, waitSeconds: left.queueTime, ...who(state) };
    if (left.result === 'leave' || left.result === 'hangup') {
      const reason = left.result === 'hangup' ? 'hung_up' : ((await missed.takeLeaving(left.callSid)) ?? 'timed_out');
      if (caller !== undefined) await voicemail.callerMissed(caller, { from: left.from, waitSeconds: left.queueTime, reason });
      await audit.record({ type: left.result === 'leave' ? 'timed_out' : 'abandoned', ...facts, ...(left.result === 'leave' ? { reason } : {}) });
    } else if (left.result !== 'bridged') {
      // Twilio's queue failed them (https://www.twilio.com/docs/voice/twiml/enqueue: 'error', an error in the
      // wait document; 'system-error', often a hang-up before fully enqueued; 'queue-full'): still a verified
      // caller nobody took, so a sysadmin calls them back. Not so while being bridged.
      const beingBridged = left.result === 'bridging-in-process' || left.result === 'redirected-from-bridged';
      if (caller !== undefined && !beingBridged) {
        const reason = left.result === 'system-error' ? 'hung_up' : 'line_error';
        await voicemail.callerMissed(caller, { from: left.from, waitSeconds: left.queueTime, reason });
      }
      log.warn({ callSid: left.callSid, queueResult: left.result }, 'call left the queue unexpectedly');
    }
    return decision;
  }

  /** The status callback: the call has ended. */
  async function ended(end: { callSid: string; from: string; callStatus: string; durationSeconds: number | undefined }): Promise<void> {
    const [state, first, caller] = await Promise.all([
      calls.get(end.callSid),
      calls.record(end.callSid, { step: 'status', decision: { kind: 'nothing' } }),
      waiting.remove(end.callSid),
    ]);
    if (!first) return;
    // Still on the books at the end: verified, but gone before their queue's action came (e.g. hung up during "connecting you").
    if (caller !== undefined) {
      await voicemail.callerMissed(caller, { from: end.from, waitSeconds: waitedSeconds(caller, clock.now()), reason: 'hung_up' });
    }
    await audit.record({
      type: 'completed',
      callSid: end.callSid,
      callStatus: end.callStatus,
      ...(end.durationSeconds === undefined ? {} : { durationSeconds: end.durationSeconds }),
      ...who(state),
    });
  }

  /** The <Record> action: the caller finished their message (or said nothing, Digits tells). */
  function messageLeft(): Decision {
    return { kind: 'voicemail_left' };
  }

  return { waitInQueue, leftQueue, ended, messageLeft };
}

export type QueueFlow = ReturnType<typeof createQueueFlow>;
