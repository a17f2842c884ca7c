import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { AgentCalls } from './agent-calls.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { CallEvents } from './call-events.js';
import type { WaitingCallers } from './waiting-callers.js';

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
    const entry = await waiting.get(callerSid);
    const now = clock.now();
    const who =
      entry === undefined
        ? undefined
        : {
            accountId: entry.caller.accountId,
            userId: entry.caller.userId,
            waitSeconds: call.queueSeconds ?? Math.max(0, Math.round((now - entry.caller.enqueuedAt) / 1000)),
          };
    await Promise.all([
      waiting.remove(callerSid),
      agentCalls.mark(agentCallSid, 'bridged'),
      busy.set(sysadminId, { kind: 'connected', callSid: agentCallSid, until: now + CONNECTED_MS }),
      who === undefined ? undefined : events.connected({ callSid: callerSid, sysadminId, ...who }),
      audit.record({ type: 'connected', callSid: callerSid, sysadminId, ...who }),
    ]);
  };
}
