import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BridgeBooks } from '../oncall/bridge-books.js';
import type { MissedCallers } from '../oncall/missed-callers.js';
import type { OncallStore } from '../oncall/oncall-store.js';
import type { Pager } from '../oncall/pager.js';
import type { QueueCleanup } from '../oncall/queue-cleanup.js';
import { WAIT_PAUSE_SECONDS, waitedSeconds, type WaitingCallers } from '../oncall/waiting-callers.js';
import type { Policy } from '../policy/policy-schema.js';
import { ENDED_CALL_STATE_TTL_MS, type Admissions, type CallStates } from './call-state.js';
import type { Decision } from './decisions.js';
import type { VoicemailFlow } from './voicemail-flow.js';

// A reserved caller is looked at again this often, so the bridge or the lapse is soon seen.
const RESERVED_PAUSE_SECONDS = 5;
// Past the maximum wait by this much, a wait URL that keeps failing lets the caller go to the
// <Enqueue> action (voicemail, or the apology if Redis is still away) instead of holding for ever.
const FAILING_WAIT_GRACE_SECONDS = 120;

/** What the caller hears once out of their queue: after a bridge or a hang-up, nothing is left to say. */
function queueResultDecision(result: string, voicemailSeconds: number): Decision {
  if (result === 'leave') return { kind: 'offer_voicemail', maxSeconds: voicemailSeconds };
  if (['hangup', 'bridged', 'redirected', 'redirected-from-bridged'].includes(result)) return { kind: 'hang_up' };
  return { kind: 'apology' };
}

/** Waiting in their own queue, leaving it, and the call's end (SPEC section 4 steps 3 and 4). */
export function createQueueFlow(deps: {
  policy: Policy;
  clock: Clock;
  calls: CallStates;
  waiting: WaitingCallers;
  pager: Pick<Pager, 'whyNobodyCanBePaged'>;
  oncall: Pick<OncallStore, 'list'>;
  missed: MissedCallers;
  books: BridgeBooks;
  leases: Pick<Admissions, 'release'>;
  voicemail: VoicemailFlow;
  cleanup: QueueCleanup;
  audit: AuditLog;
  log: Logger;
}) {
  const { policy, clock, calls, waiting, pager, missed, books, voicemail, cleanup, audit, log } = deps;
  const musicSeconds = policy.queue.holdMusicSeconds ?? Number.POSITIVE_INFINITY;

  /**
   * The wait URL: the place in line across plans (Twilio's QueuePosition counts only the caller's
   * own queue), then hold. A caller a sysadmin has pressed 1 for stays past the maximum wait while
   * that reservation lives: the <Dial> that takes them is on its way.
   */
  async function waitInQueue(wait: { callSid: string; queueTime: number }): Promise<Decision> {
    const left = policy.queue.maxWaitSeconds - wait.queueTime;
    const now = clock.now();
    // If this fails, the route's fallback holds the caller again (waitFailed): never a decision on no facts.
    const [at, onCall] = await Promise.all([
      waiting.atWaitFetch(wait.callSid, now),
      deps.oncall.list().then((list) => list.length),
    ]);
    const position = at?.position ?? null;
    if (at !== undefined && at.reservedUntil > now) return { kind: 'hold', position, pauseSeconds: RESERVED_PAUSE_SECONDS, music: false };
    if (left <= 0) return { kind: 'leave_queue' };
    // Nobody can be paged at all (no one on call, every page failed, the plan closed): a message now, not a long wait.
    const nobody = at === undefined ? undefined : pager.whyNobodyCanBePaged(at.tier, onCall, at.failedInARow, now);
    if (nobody !== undefined) {
      await missed.noteLeaving(wait.callSid, nobody);
      return { kind: 'leave_queue' };
    }
    const pauseSeconds = Math.min(WAIT_PAUSE_SECONDS, Math.max(1, left));
    return { kind: 'hold', position, pauseSeconds, music: musicSeconds <= left };
  }

  /**
   * The Enqueue action (https://www.twilio.com/docs/voice/twiml/enqueue lists the QueueResults): settled
   * once, with the sysadmin's <Dial> action (bridge-books.ts), whichever comes first.
   */
  async function leftQueue(left: { callSid: string; from: string; result: string; queueTime: number; queueSid: string | undefined }): Promise<Decision> {
    const decision = queueResultDecision(left.result, policy.voicemail.maxSeconds);
    const [state, first] = await Promise.all([
      calls.get(left.callSid),
      calls.record(left.callSid, { step: 'queue-result', decision }),
    ]);
    // A retried action repeats the answer but not the event.
    if (!first) return state.steps['queue-result'] ?? decision;
    if (left.queueSid !== undefined) await cleanup.callerLeft(left.queueSid, clock.now());
    const { accountId, userId } = state;
    const facts = { callSid: left.callSid, waitSeconds: left.queueTime, accountId, userId };
    // 'redirected-from-bridged': a REST redirect (never callgate's) took a bridged call elsewhere.
    if (left.result === 'bridged' || left.result === 'redirected-from-bridged') {
      await books.connected(left.callSid, { waitSeconds: left.queueTime });
      return decision;
    }
    const settled = await waiting.settle(left.callSid);
    if (left.result === 'leave' || left.result === 'hangup') {
      const reason = left.result === 'hangup' ? 'hung_up' : ((await missed.takeLeaving(left.callSid)) ?? 'timed_out');
      if (settled !== undefined) await books.missedAfterSettling(settled, left.from, reason, left.queueTime);
      await audit.record({ type: left.result === 'leave' ? 'timed_out' : 'abandoned', ...facts, ...(left.result === 'leave' ? { reason } : {}) });
    } else if (left.result === 'redirected') {
      // Taken out of the queue by someone else's REST call: theirs to handle, not a missed caller.
      log.warn({ callSid: left.callSid }, 'a waiting caller was redirected out of their queue through the REST API');
    } else {
      // Twilio's queue failed them ('error', 'queue-full', 'bridging-in-process': the call left while the
      // bridge was being made; 'system-error', often a hang-up before fully enqueued): a sysadmin calls back.
      const reason = left.result === 'system-error' ? 'hung_up' : 'line_error';
      if (settled !== undefined) await books.missedAfterSettling(settled, left.from, reason, left.queueTime);
      log.warn({ callSid: left.callSid, queueResult: left.result }, 'call left the queue unexpectedly');
    }
    return decision;
  }

  /** The status callback: the call has ended. */
  async function ended(end: { callSid: string; from: string; callStatus: string; durationSeconds: number | undefined }): Promise<void> {
    const [state, first, caller] = await Promise.all([
      calls.get(end.callSid),
      calls.record(end.callSid, { step: 'status', decision: { kind: 'nothing' } }, ENDED_CALL_STATE_TTL_MS),
      waiting.remove(end.callSid),
      // A PIN leased to a caller who never fetched the wait URL is live again (call-state.ts).
      deps.leases.release(end.callSid, clock.now()),
      // A bridge neither of whose reports came yet: settled by the pager if none comes (bridge-books.ts).
      waiting.bridgeEnded(end.callSid, clock.now()),
    ]);
    // Still on the line at the end (hung up during "connecting you"): booked by whichever copy took them off.
    if (caller !== undefined) {
      await voicemail.callerMissed(caller, { from: end.from, waitSeconds: waitedSeconds(caller, clock.now()), reason: 'hung_up' });
    }
    if (!first) return;
    await audit.record({
      type: 'completed',
      callSid: end.callSid,
      callStatus: end.callStatus,
      durationSeconds: end.durationSeconds,
      accountId: state.accountId,
      userId: state.userId,
    });
  }

  /** The <Record> action: the caller finished their message (or said nothing). */
  const messageLeft = (): Decision => ({ kind: 'voicemail_left' });

  /**
   * The wait URL's answer when anything inside it failed: hold and be fetched again, never the apology
   * and a hang-up for a verified caller on hold (the waitUrl document is fetched again each time it ends).
   */
  const waitFailed = (queueTime: number): Decision =>
    queueTime > policy.queue.maxWaitSeconds + FAILING_WAIT_GRACE_SECONDS
      ? { kind: 'leave_queue' }
      : { kind: 'hold', position: null, pauseSeconds: WAIT_PAUSE_SECONDS, music: false };

  return { waitInQueue, waitFailed, leftQueue, ended, messageLeft };
}

export type QueueFlow = ReturnType<typeof createQueueFlow>;
