import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AgentDecision } from './agent-decisions.js';
import type { AgentCalls } from './agent-calls.js';
import { CONNECTED_MS } from './bridge-books.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { OncallPins } from './oncall-pins.js';
import type { OncallStore } from './oncall-store.js';

// Wrong on-call PINs allowed in one call before it ends (the per-sysadmin lockout is in oncall-pins).
const ONCALL_PIN_ATTEMPTS_PER_CALL = 3;

/**
 * A sysadmin phoning in, SPEC section 5: a call from a rota number hears nothing about any
 * customer until the on-call PIN is right; then the missed callers, then who is waiting.
 */
export function createPhoneIn(deps: {
  agentCalls: AgentCalls;
  busy: BusySysadmins;
  oncall: OncallStore;
  oncallPins: OncallPins;
  clock: Clock;
  log: Logger;
  /** What a proved sysadmin hears first: the missed callers, else the briefing. */
  missedOrBrief: (sysadminId: string, agentCallSid: string) => Promise<AgentDecision>;
}) {
  const { agentCalls, busy, oncall, oncallPins, clock, log, missedOrBrief } = deps;

  return {
    /** Whether a caller's number is on the rota: such a call is asked for the on-call PIN, never a customer PIN. */
    async sysadminByPhone(phone: string): Promise<string | undefined> {
      return (await oncall.list()).find((sysadmin) => sysadmin.phone === phone)?.id;
    },

    /** A call from a rota number: nothing about any customer until the on-call PIN is right. */
    async phonedIn(sysadminId: string, agentCallSid: string, stirVerstat?: string): Promise<AgentDecision> {
      // A spoofed rota number shows here as a failed or missing attestation: worth a look, never a pass.
      log.info({ sysadminId, callSid: agentCallSid, stirVerstat: stirVerstat ?? 'none' }, 'a call from a rota phone: asking for the on-call PIN');
      await agentCalls.start(agentCallSid, { sysadminId, via: 'inbound' });
      return { kind: 'agent_ask_pin', sysadminId, attempt: 1, retry: false };
    },

    async checkOncallPin(call: { sysadminId: string; agentCallSid: string; digits: string; attempt: number }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid } = call;
      const known = await agentCalls.get(agentCallSid);
      if (known?.sysadminId !== sysadminId || known.via !== 'inbound') return { kind: 'agent_pin_refused' };
      const result = call.digits === '' ? 'wrong' : await oncallPins.check(sysadminId, call.digits);
      if (result === 'ok') {
        const now = clock.now();
        await Promise.all([
          agentCalls.mark(agentCallSid, 'authenticated'),
          // Not paged while on the line; free again when this call ends (the number's status callback).
          busy.set(sysadminId, { kind: 'on_line', callSid: agentCallSid, until: now + CONNECTED_MS }),
        ]);
        // Missed callers first: they have waited longest.
        return missedOrBrief(sysadminId, agentCallSid);
      }
      log.warn({ sysadminId, callSid: agentCallSid, result }, 'on-call PIN refused');
      if (result === 'wrong' && call.attempt < ONCALL_PIN_ATTEMPTS_PER_CALL) {
        return { kind: 'agent_ask_pin', sysadminId, attempt: call.attempt + 1, retry: true };
      }
      return { kind: 'agent_pin_refused' };
    },
  };
}

export type PhoneIn = ReturnType<typeof createPhoneIn>;
