import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AgentDecision } from './agent-decisions.js';
import type { AgentCalls } from './agent-calls.js';
import type { AgentUrls } from './agent-urls.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { OncallPinCheck, OncallPins } from './oncall-pins.js';
import type { OncallStore } from './oncall-store.js';
import type { PageOutcomes } from './page-outcomes.js';
import type { PhoneInCalls } from './phone-in-calls.js';
import { PageError, REST_TIMEOUT_MS, TWILIO_EXTRA_RING_MS, type Dialer } from './twilio-dialer.js';

// Wrong on-call PINs allowed in one call before it ends (the per-sysadmin window is in oncall-pins).
const ONCALL_PIN_ATTEMPTS_PER_CALL = 3;
/** Wrong on-call PINs in one sysadmin's window from which each one raises the alarm (event, metric, console). */
export const ONCALL_PIN_BURST = 2;
// How long a call from a rota number is remembered while it is still up (its message lasts seconds).
const PENDING_MS = 60_000;
// Once answered: long enough for the PIN and the missed callers; the call's status callback ends it sooner.
const SESSION_MS = 10 * 60_000;

/** What the phone-in needs beyond the agent flow's own stores (wired in src/app.ts). */
export interface PhoneInWiring {
  calls: PhoneInCalls;
  dialer: Pick<Dialer, 'placeCall'>;
  urls: AgentUrls;
  ringSeconds: number;
  metrics: Metrics;
  /** Emits `oncall_pin.failures` for a burst of wrong on-call PINs. */
  onPinBurst?: (burst: { sysadminId: string; failures: number; since: number; windowMs: number; locked: boolean }) =>
    Promise<void>;
}

// A sysadmin phoning in, SPEC section 5. Caller ID is no credential: the PIN is asked only on the
// call back to the registered number, which a spoofer cannot answer (docs/security.md "The on-call PIN").
export function createPhoneIn(
  deps: PhoneInWiring & {
    agentCalls: AgentCalls;
    busy: BusySysadmins;
    oncall: OncallStore;
    oncallPins: OncallPins;
    clock: Clock;
    log: Logger;
    /** What a proved sysadmin hears first: the missed callers, else the briefing. */
    missedOrBrief: (sysadminId: string, agentCallSid: string) => Promise<AgentDecision>;
    outcomes: Pick<PageOutcomes, 'callEnded'>;
  },
) {
  const { calls, dialer, urls, agentCalls, busy, oncall, oncallPins, clock, log, metrics, missedOrBrief } = deps;
  const ringWindowMs = deps.ringSeconds * 1000 + TWILIO_EXTRA_RING_MS;
  const { failuresPerWindow, windowMs } = oncallPins.limits;

  /** Places the call back to the registered number of the sysadmin whose call from it ended. */
  async function callBack(inboundSid: string): Promise<void> {
    const claim = `claim:${randomUUID()}`;
    const sysadminId = await calls.hungUp(inboundSid, claim, REST_TIMEOUT_MS + ringWindowMs);
    if (sysadminId === undefined) return;
    const sysadmin = (await oncall.list()).find((entry) => entry.id === sysadminId);
    if (sysadmin === undefined) {
      await calls.ended(sysadminId, claim);
      return;
    }
    const now = clock.now();
    // Busy while the call back rings, if free or only resting (in one step: a page may claim them meanwhile).
    // One whose phone callgate already rings or holds is not rung: a call from their number now is likely
    // a spoofer's, and that call's entry stays.
    const ringing = { kind: 'ringing' as const, callSid: claim, until: now + REST_TIMEOUT_MS + ringWindowMs };
    if (!(await busy.claim(sysadminId, ringing, now, true))) {
      log.warn({ sysadminId }, "a call from a sysadmin's number while their phone is busy with callgate: not called back");
      await calls.ended(sysadminId, claim);
      return;
    }
    let callSid: string;
    try {
      callSid = await dialer.placeCall({
        to: sysadmin.phone,
        url: urls.phoneIn(sysadminId),
        statusCallback: urls.phoneInStatus(sysadminId),
        ringSeconds: deps.ringSeconds,
      });
    } catch (error) {
      const outcome = error instanceof PageError ? error.outcome : 'refused';
      metrics.phoneInCalls.inc({ result: 'failed' });
      log.warn({ err: error, sysadminId, outcome }, 'calling a sysadmin back on their registered phone failed');
      // Refused: no call exists, they may phone in again at once. Unknown: it may ring, so the claim runs out.
      if (outcome === 'refused') await Promise.all([calls.ended(sysadminId, claim), busy.replaceIf(sysadminId, claim)]);
      return;
    }
    metrics.phoneInCalls.inc({ result: 'placed' });
    await agentCalls.start(callSid, { sysadminId, via: 'inbound' });
    await Promise.all([
      // Only for the ring (a lost status callback must not hold the slot long); answering extends it.
      calls.placed(sysadminId, claim, callSid, REST_TIMEOUT_MS + ringWindowMs),
      busy.replaceIf(sysadminId, claim, { kind: 'ringing', callSid, until: clock.now() + ringWindowMs }),
    ]);
    log.info({ sysadminId, callSid }, 'calling a sysadmin back on their registered phone');
    // Its status callback may have come before it was recorded: settle it now.
    if ((await agentCalls.get(callSid))?.ended === true) await verificationEnded(sysadminId, callSid, 'ended_early');
  }

  /** The call back's status callback: the sysadmin is free. Like a page's, it may beat the call's record. */
  async function verificationEnded(sysadminId: string, callSid: string, callStatus: string): Promise<void> {
    await Promise.all([deps.outcomes.callEnded(callSid, callStatus, 'page'), calls.ended(sysadminId, callSid)]);
  }

  /** A wrong PIN: logged and counted always; from the burst threshold on, an alarm too. Never the digits. */
  async function pinFailed(sysadminId: string, callSid: string, check: OncallPinCheck): Promise<void> {
    const burst = check.failures >= ONCALL_PIN_BURST;
    const locked = check.failures >= failuresPerWindow;
    metrics.oncallPinFailures.inc({ burst: burst ? 'yes' : 'no' });
    const fields = { sysadminId, callSid, failures: check.failures, limit: failuresPerWindow, windowHours: windowMs / 3_600_000 };
    if (!burst) {
      log.warn(fields, 'wrong on-call PIN on a call to the registered phone');
      return;
    }
    log.error({ ...fields, locked }, 'on-call PIN failure burst: someone holding this sysadmin’s phone is guessing their on-call PIN');
    try {
      await deps.onPinBurst?.({ sysadminId, failures: check.failures, since: check.since, windowMs, locked });
    } catch (error) {
      log.error({ err: error, sysadminId }, 'the on-call PIN failure event was not recorded');
    }
  }

  return {
    /** A call from a rota number is called back, never asked a customer PIN. */
    async sysadminByPhone(phone: string): Promise<string | undefined> {
      return (await oncall.list()).find((sysadmin) => sysadmin.phone === phone)?.id;
    },

    /** A call from a rota number hears only that callgate will call back (once, however often they call). */
    async phonedIn(sysadminId: string, inboundSid: string, stirVerstat?: string): Promise<AgentDecision> {
      const asked = await calls.asked(sysadminId, inboundSid, PENDING_MS);
      if (!asked) metrics.phoneInCalls.inc({ result: 'already_ringing' });
      // A spoofed rota number shows here as a failed or missing attestation: worth a look, never a pass.
      log.info(
        { sysadminId, callSid: inboundSid, stirVerstat: stirVerstat ?? 'none', callBack: asked ? 'when this call ends' : 'already ringing' },
        'a call from a rota phone: calling the registered phone back',
      );
      return { kind: 'agent_calling_you_back' };
    },

    /** A call from a rota phone ended, so the phone is free. The REST call runs after the callback is answered. */
    rotaCallEnded(inboundSid: string): Promise<void> {
      callBack(inboundSid).catch((error: unknown) => {
        log.warn({ err: error, callSid: inboundSid }, 'a call from a rota phone was not called back');
      });
      return Promise.resolve();
    },

    /** The call back was answered on the registered phone: the on-call PIN, unless entry is closed. */
    async verificationAnswered(sysadminId: string, callSid: string): Promise<AgentDecision> {
      const now = clock.now();
      await agentCalls.start(callSid, { sysadminId, via: 'inbound' });
      // The call's busy entry is renewed by its webhooks from here on (agent-flow heardFrom).
      const [[failures = 0]] = await Promise.all([oncallPins.failures([sysadminId], now), calls.placed(sysadminId, callSid, callSid, SESSION_MS)]);
      if (failures >= failuresPerWindow) return { kind: 'agent_pin_locked' };
      return { kind: 'agent_ask_pin', sysadminId, attempt: 1, retry: false };
    },

    verificationEnded,

    async checkOncallPin(call: { sysadminId: string; agentCallSid: string; digits: string; attempt: number }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid } = call;
      const known = await agentCalls.get(agentCallSid);
      if (known?.sysadminId !== sysadminId || known.via !== 'inbound') return { kind: 'agent_pin_refused' };
      // Silence is no guess: it is not counted (a voicemail box answering the call back types nothing).
      const check: OncallPinCheck =
        call.digits === '' ? { result: 'wrong', failures: 0, since: 0 } : await oncallPins.check(sysadminId, call.digits, clock.now());
      if (check.result === 'ok') {
        await agentCalls.mark(agentCallSid, 'authenticated');
        return missedOrBrief(sysadminId, agentCallSid);
      }
      if (check.result === 'locked') {
        log.warn({ sysadminId, callSid: agentCallSid, failures: check.failures }, 'on-call PIN entry refused: too many wrong PINs in the window');
        return { kind: 'agent_pin_locked' };
      }
      if (check.result === 'wrong' && call.digits !== '') await pinFailed(sysadminId, agentCallSid, check);
      if (check.result === 'unset') log.warn({ sysadminId, callSid: agentCallSid }, 'on-call PIN refused: none is set');
      if (check.result === 'wrong' && check.failures >= failuresPerWindow) return { kind: 'agent_pin_locked' };
      if (check.result === 'wrong' && call.attempt < ONCALL_PIN_ATTEMPTS_PER_CALL) {
        return { kind: 'agent_ask_pin', sysadminId, attempt: call.attempt + 1, retry: true };
      }
      return { kind: 'agent_pin_refused' };
    },
  };
}
