import type { AuditLog } from '../audit/audit-log.js';
import type { MissedReason } from './missed-callers.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { CallEvents } from './call-events.js';
import { waitedSeconds, type SettledCaller, type WaitingCaller, type WaitingCallers } from './waiting-callers.js';

// A sysadmin in a conversation sends no webhook until it ends; this only bounds a lost report of its end.
export const CONNECTED_MS = 4 * 3_600_000;
// Any report of the bridge still coming arrives well within this after the caller's status callback.
export const REPORT_GRACE_MS = 2 * 60_000;

// The books of a bridge, from what Twilio reports: the <Queue> url comes *before* the bridge, so it only
// prepares; DialBridged or QueueResult=bridged, whichever comes first, books it.
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

    /** Twilio reported the bridge: booked once (a later or repeated report finds them settled). */
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

    /** Twilio reported no bridge: a caller past the <Queue> url left before it, and is missed. */
    async leftBeforeBridge(callerSid: string): Promise<boolean> {
      const settled = await waiting.settle(callerSid, { onlyBridging: true });
      if (settled?.bridging === undefined) return false;
      await missedAfterSettling(settled, settled.bridging.from, 'hung_up');
      return true;
    },

    // Both reports lost (Twilio sends each once): a call-back too many rather than a customer lost.
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
