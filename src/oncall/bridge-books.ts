import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { AgentCalls } from './agent-calls.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { CallEvents } from './call-events.js';
import { waitedSeconds, type WaitingCallers } from './waiting-callers.js';

// A sysadmin on a call with a customer is busy until its status callback; this only bounds a lost one.
export const CONNECTED_MS = 4 * 3_600_000;

/**
 * The books of a bridge, kept when Twilio fetches the <Queue> url for the caller — the only
 * confirmation of a bridge that counts (not the keypress): the caller is off the line, the
 * sysadmin busy with that call, the audit and the control panel told.
 */
export function createBridgeBooks(deps: { waiting: WaitingCallers; agentCalls: AgentCalls; busy: BusySysadmins; events: CallEvents; audit: AuditLog; clock: Clock }) {
  const { waiting, agentCalls, busy, events, audit, clock } = deps;

  return async function bridged(call: { callerSid: string; sysadminId: string; agentCallSid: string; queueSeconds: number | undefined }): Promise<void> {
    const { callerSid, sysadminId, agentCallSid } = call;
    const now = clock.now();
    // Off the line first: the removal says who they were, for the audit and the event.
    const [caller] = await Promise.all([
      waiting.remove(callerSid),
      agentCalls.mark(agentCallSid, 'bridged'),
      busy.set(sysadminId, { kind: 'connected', callSid: agentCallSid, until: now + CONNECTED_MS }),
    ]);
    const who =
      caller === undefined
        ? undefined
        : { accountId: caller.accountId, userId: caller.userId, waitSeconds: call.queueSeconds ?? waitedSeconds(caller, now) };
    await Promise.all([
      who === undefined ? undefined : events.connected({ callSid: callerSid, sysadminId, ...who }),
      audit.record({ type: 'connected', callSid: callerSid, sysadminId, ...who }),
    ]);
  };
}
