import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { AgentCalls } from './agent-calls.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { WaitingCallers } from './waiting-callers.js';

/** How long a sysadmin who answered a page has to listen and press 1 before the chain moves on. */
export const BRIEFING_MS = 45_000;

/**
 * A page answered, declined, or a sysadmin's call ended. Each change is conditional on the call it comes
 * from, so late or repeated callbacks (Twilio sends them out of order) change nothing they should not.
 */
export function createPageOutcomes(deps: {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  agentCalls: AgentCalls;
  audit: AuditLog;
  clock: Clock;
  /** How long a sysadmin who declined is left alone (a ring time). */
  restMs: number;
  /** Asks the pager to look again (a chain fell due, a sysadmin is free). */
  nudge: () => void;
}) {
  const { waiting, busy, agentCalls, audit, clock, restMs, nudge } = deps;

  /** A person answered the page: the chain waits while they listen. */
  async function answered(callerSid: string, pageCallSid: string): Promise<void> {
    const now = clock.now();
    const entry = await waiting.get(callerSid);
    const page = entry?.chain.page;
    if (entry !== undefined && page?.pageCallSid === pageCallSid && page.state === 'ringing') {
      await waiting.savePage(callerSid, { ...page, state: 'answered' }, now + BRIEFING_MS);
    }
  }

  /** A page not taken (a machine, silence, another key, busy, no answer): next sysadmin; this one rests. */
  async function declined(sysadminId: string, callerSid: string, pageCallSid: string, reason: string): Promise<void> {
    const now = clock.now();
    const entry = await waiting.get(callerSid);
    const page = entry?.chain.page;
    if (entry !== undefined && page?.pageCallSid === pageCallSid && page.state !== 'declined') {
      const saved = await waiting.savePage(callerSid, { ...page, state: 'declined' }, now);
      if (saved) await audit.record({ type: 'declined', callSid: callerSid, accountId: entry.caller.accountId, sysadminId, reason });
    }
    // The rest is its own entry, so the end of the page call does not cut it short.
    await busy.replaceIf(sysadminId, pageCallSid, { kind: 'resting', callSid: `rest:${pageCallSid}`, until: now + restMs });
    nudge();
  }

  /** A sysadmin's call ended: an unanswered page is a decline, an unbridged reservation is paged again. */
  async function callEnded(callSid: string, callStatus: string, via: 'page' | 'number'): Promise<void> {
    // A page's callback may beat the record of the page itself: note it, the pager settles it.
    if (via === 'page') await agentCalls.mark(callSid, 'ended');
    const call = await agentCalls.get(callSid);
    if (call === undefined) return;
    if (call.via === 'page' && call.forCaller !== undefined) {
      const page = (await waiting.get(call.forCaller))?.chain.page;
      const unanswered = page?.pageCallSid === callSid && page.state !== 'declined';
      if (unanswered) await declined(call.sysadminId, call.forCaller, callSid, callStatus === 'completed' ? 'hung_up' : callStatus);
    }
    // A no-op once the caller reached the <Queue> url: they are then the bridge's (bridge-books.ts).
    if (call.reserved !== undefined) await waiting.release(call.reserved, callSid, clock.now());
    await busy.replaceIf(call.sysadminId, callSid);
    nudge();
  }

  return { answered, declined, callEnded };
}

export type PageOutcomes = ReturnType<typeof createPageOutcomes>;
