import type { AuditLog } from '../audit/audit-log.js';
import type { MissedReason } from './missed-callers.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { CallEvents } from './call-events.js';
import { waitedSeconds, type SettledCaller, type WaitingCaller, type WaitingCallers } from './waiting-callers.js';

// A sysadmin in a conversation sends no webhook until it ends; this only bounds a lost report of its end.
export const CONNECTED_MS = 4 * 3_600_000;
// Twilio sends the bridge's reports as the conversation ends, with the caller's call end: any that
// is coming has come well within this after the caller's status callback.
export const REPORT_GRACE_MS = 2 * 60_000;

/**
 * The books of a bridge, kept from what Twilio reports, never from what callgate expects.
 * The <Queue> url is fetched for the caller *before* the two are connected
 * (https://www.twilio.com/docs/voice/twiml/queue), so it only prepares: the caller leaves the
 * line (nobody else is paged or briefed for them), the sysadmin is busy with them. The bridge
 * is booked when Twilio says it happened — DialBridged on the sysadmin's <Dial> action
 * (https://www.twilio.com/docs/voice/twiml/dial) or QueueResult=bridged on the caller's
 * <Enqueue> action (https://www.twilio.com/docs/voice/twiml/enqueue), whichever comes first;
 * a caller who left in between is a missed caller, to be called back.
 */
export function createBridgeBooks(deps: {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  events: CallEvents;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  /** Puts a verified caller nobody spoke with on the call-back list (src/calls/voicemail-flow.ts). */
  callerMissed: (caller: WaitingCaller, facts: { from: string; waitSeconds: number; reason: MissedReason }) => Promise<void>;
}) {
  const { waiting, busy, events, audit, clock, log } = deps;

  return {
    /** The <Queue> url: Twilio is about to bridge. Nothing is booked yet. */
    async prepare(call: { callerSid: string; sysadminId: string; agentCallSid: string; from: string }): Promise<void> {
      const now = clock.now();
      await Promise.all([
        waiting.prepareBridge(call.callerSid, call, now),
        // Without the dequeuing call's sid nothing could ever free the entry: the Dial's action renews it instead.
        call.agentCallSid === '' ? undefined : busy.set(call.sysadminId, { kind: 'connected', callSid: call.agentCallSid, until: now + CONNECTED_MS, heardAt: now }),
      ]);
    },

    /**
     * Twilio reported the bridge: the caller is settled as connected, once, whichever report
     * comes first (a later or repeated one finds them settled and books nothing).
     * `sysadminId` is the reporter's knowledge, for a caller whose <Queue> url went unrecorded.
     */
    async connected(callerSid: string, report: { sysadminId?: string; waitSeconds?: number }): Promise<void> {
      const settled = await waiting.settle(callerSid);
      if (settled === undefined) return;
      const { caller } = settled;
      // The reporter knows best: a reservation may have been taken over meanwhile.
      const sysadminId = report.sysadminId ?? settled.sysadminId;
      const waitSeconds = report.waitSeconds ?? waitedSeconds(caller, settled.bridging?.at ?? clock.now());
      const who = { accountId: caller.accountId, userId: caller.userId, waitSeconds };
      if (sysadminId === undefined) log.warn({ callSid: callerSid }, 'a bridge was reported for a caller no sysadmin was known to take');
      await Promise.all([
        sysadminId === undefined ? undefined : events.connected({ callSid: callerSid, sysadminId, ...who }),
        audit.record({ type: 'connected', callSid: callerSid, ...(sysadminId === undefined ? {} : { sysadminId }), ...who }),
      ]);
    },

    /**
     * Twilio reported no bridge to the sysadmin: if the caller had reached the <Queue> url, they
     * left before the bridge, and are missed. Returns whether that was so.
     */
    async leftBeforeBridge(callerSid: string): Promise<boolean> {
      const settled = await waiting.settle(callerSid, { onlyBridging: true });
      if (settled?.bridging === undefined) return false;
      await missedAfterSettling(settled, settled.bridging.from, 'hung_up');
      return true;
    },

    /** The caller's call ended (their status callback): a bridge still unreported is noted. */
    async callerEnded(callerSid: string): Promise<void> {
      await waiting.bridgeEnded(callerSid, clock.now());
    },

    /**
     * Bridges whose caller's call ended REPORT_GRACE_MS ago and still no report: both of Twilio's
     * reports were lost (an outage; Twilio sends each once). Whether they spoke with the sysadmin
     * is unknown, so they go on the call-back list: a call-back too many rather than a customer lost.
     */
    async settleUnreported(now: number): Promise<void> {
      for (const callerSid of await waiting.bridgesEndedBefore(now - REPORT_GRACE_MS)) {
        const settled = await waiting.settle(callerSid, { onlyBridging: true });
        if (settled?.bridging === undefined) continue;
        log.warn({ callSid: callerSid }, "a bridge's reports never came: the caller goes on the call-back list");
        const { caller } = settled;
        const waitSeconds = waitedSeconds(caller, settled.bridging.at);
        await missedAfterSettling(settled, settled.bridging.from, 'hung_up');
        await audit.record({ type: 'abandoned', callSid: callerSid, accountId: caller.accountId, userId: caller.userId, waitSeconds });
      }
    },

    missedAfterSettling,
  };

  /** A settled caller nobody spoke with goes on the call-back list (with Twilio's QueueTime when it sent one). */
  async function missedAfterSettling(settled: SettledCaller, from: string, reason: MissedReason, queueTime?: number): Promise<void> {
    const waitSeconds = queueTime ?? waitedSeconds(settled.caller, settled.bridging?.at ?? clock.now());
    await deps.callerMissed(settled.caller, { from, waitSeconds, reason });
  }
}

export type BridgeBooks = ReturnType<typeof createBridgeBooks>;
