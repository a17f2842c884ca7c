import type { AuditLog } from '../audit/audit-log.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AgentDecision, PreviousCaller } from './agent-decisions.js';
import type { AgentCalls } from './agent-calls.js';
import { CONNECTED_MS, type BridgeBooks } from './bridge-books.js';
import { NEXT_WEBHOOK_MS, type Busy, type BusySysadmins } from './busy-sysadmins.js';
import type { CallEvents } from './call-events.js';
import { createCallbackFlow } from './callback-flow.js';
import type { MissedCallers } from './missed-callers.js';
import type { OncallPins } from './oncall-pins.js';
import type { OncallStore } from './oncall-store.js';
import type { PageOutcomes } from './page-outcomes.js';
import { createPhoneIn, type PhoneInWiring } from './phone-in.js';
import { ghostAfterMs, waitedSeconds, type WaitingCallers, type WaitingEntry } from './waiting-callers.js';

// After the last words of a call (a goodbye), only the status callback is still to come.
const LAST_WORDS_MS = 60_000;
const CALL_ENDS = new Set<AgentDecision['kind']>(['agent_goodbye', 'agent_call_over', 'agent_nobody_waiting', 'agent_pin_refused']);

/** From pressing 1 to Twilio's report of the bridge; an unbridged reservation then goes back to paging. */
export const RESERVATION_MS = 20_000;
// How far down the line a briefing looks for a caller nobody holds.
const BRIEF_WINDOW = 20;

/** The sysadmin's side of a call, SPEC section 5: greeting or on-call PIN, briefing, 1 to take, bridge. */
export function createAgentFlow(deps: {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  agentCalls: AgentCalls;
  oncall: OncallStore;
  oncallPins: OncallPins;
  outcomes: PageOutcomes;
  books: BridgeBooks;
  missed: MissedCallers;
  policy: Policy;
  events: CallEvents;
  clock: Clock;
  audit: AuditLog;
  log: Logger;
  /** Calling a sysadmin who phoned in back on their registered phone (src/oncall/phone-in.ts). */
  phoneIn: PhoneInWiring;
}) {
  const { waiting, busy, agentCalls, outcomes, clock, audit, log } = deps;
  const ghostMs = ghostAfterMs(deps.policy.queue);

  /** The briefing about `preferred` if it still waits for anyone, else about the first caller nobody holds. */
  async function brief(sysadminId: string, agentCallSid: string, preferred?: string, previous?: PreviousCaller): Promise<AgentDecision> {
    const now = clock.now();
    // Not a ghost, and held by no other call's live reservation.
    const available = (entry: WaitingEntry | undefined): entry is WaitingEntry =>
      entry !== undefined &&
      entry.lastSeen >= now - ghostMs &&
      (entry.reservation === null || entry.reservation.agentCallSid === agentCallSid || entry.reservation.until <= now);
    const wanted = preferred === undefined ? undefined : await waiting.get(preferred);
    const chosen = available(wanted) ? wanted : (await waiting.head(BRIEF_WINDOW)).find(available);
    const told = previous === undefined ? {} : { previous };
    if (chosen === undefined) return { kind: 'agent_nobody_waiting', ...told };
    const { callSid, accountName, userName, isAdminContact, adminContactName, tier } = chosen.caller;
    const waitSeconds = waitedSeconds(chosen.caller, now);
    const othersWaiting = Math.max(0, (await waiting.count()) - 1);
    const briefing = { accountName, userName, isAdminContact, adminContactName, tier, waitSeconds, othersWaiting };
    return { kind: 'agent_briefing', sysadminId, about: callSid, briefing, ...told };
  }

  /** Anything but 1, or silence, declines: a page's chain moves on; a sysadmin who phoned in just leaves. */
  async function decline(sysadminId: string, agentCallSid: string, digits: string): Promise<AgentDecision> {
    const call = await agentCalls.get(agentCallSid);
    const reason = digits === '' ? 'no_input' : 'pressed_other_key';
    if (call?.via === 'page' && call.forCaller !== undefined) await outcomes.declined(sysadminId, call.forCaller, agentCallSid, reason);
    return { kind: 'agent_goodbye' };
  }

  /** Only a call that proved to be this sysadmin's hears about customers. */
  async function isAuthenticated(sysadminId: string, agentCallSid: string): Promise<boolean> {
    const call = await agentCalls.get(agentCallSid);
    return call !== undefined && call.sysadminId === sysadminId && call.authenticated;
  }

  const callbacks = createCallbackFlow({ ...deps, brief, isAuthenticated });
  const { missedOrBrief } = callbacks;
  const phoneIn = createPhoneIn({ ...deps, ...deps.phoneIn, missedOrBrief });

  return {
    /** Missed callers, one at a time (a sysadmin who phoned in). */
    callbacks,
    books: deps.books,

    ...phoneIn,

    /** A page was answered: a greeting with no customer data (a voicemail box may be listening). */
    async pageAnswered(call: { sysadminId: string; callerSid: string; agentCallSid: string }): Promise<AgentDecision> {
      const { sysadminId, callerSid, agentCallSid } = call;
      await agentCalls.start(agentCallSid, { sysadminId, via: 'page', forCaller: callerSid });
      await outcomes.answered(callerSid, agentCallSid);
      return { kind: 'agent_page_greeting', sysadminId, caller: callerSid };
    },

    /** After the greeting: 1 to hear who is waiting (a person, and on the rota's own phone). */
    async hear(call: { sysadminId: string; agentCallSid: string; digits: string; about: string }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid } = call;
      const known = await agentCalls.get(agentCallSid);
      const theirPage = known?.sysadminId === sysadminId && known.via === 'page';
      if (call.digits !== '1' || !theirPage) return decline(sysadminId, agentCallSid, call.digits);
      await agentCalls.mark(agentCallSid, 'authenticated');
      return brief(sysadminId, agentCallSid, call.about);
    },

    /** After the briefing: 1 takes exactly the caller described, if still theirs to take. */
    async take(call: { sysadminId: string; agentCallSid: string; digits: string; about: string }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid, about } = call;
      if (!(await isAuthenticated(sysadminId, agentCallSid))) return { kind: 'agent_goodbye' };
      if (call.digits !== '1') return decline(sysadminId, agentCallSid, call.digits);
      const now = clock.now();
      const reservation = { sysadminId, agentCallSid, until: now + RESERVATION_MS };
      const result = await waiting.reserve(about, reservation, now);
      if (result !== 'reserved') return brief(sysadminId, agentCallSid, undefined, result === 'taken' ? 'taken' : 'left');
      const entry = await waiting.get(about);
      await Promise.all([
        agentCalls.reserved(agentCallSid, about),
        audit.record({ type: 'accepted', callSid: about, sysadminId, ...(entry === undefined ? {} : { accountId: entry.caller.accountId }) }),
      ]);
      return { kind: 'agent_connect', sysadminId, about, userName: entry?.caller.userName ?? '' };
    },

    /** The sysadmin's <Dial> ended; Twilio's DialBridged says whether they spoke, else brief the next. */
    async dialEnded(call: { sysadminId: string; agentCallSid: string; about: string; bridged: boolean }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid, about } = call;
      if (call.bridged) {
        await deps.books.connected(about, { sysadminId });
        return { kind: 'agent_call_over' };
      }
      if (!(await deps.books.leftBeforeBridge(about))) await waiting.release(about, agentCallSid, clock.now());
      return brief(sysadminId, agentCallSid, undefined, 'left');
    },

    /** Each webhook renews the busy entry until the next is due, so a lost status callback frees them soon. */
    async heardFrom(sysadminId: string, callSid: string, decision: AgentDecision): Promise<AgentDecision> {
      const now = clock.now();
      const busyFor = (): Busy => {
        if (decision.kind === 'agent_call_back') return { kind: 'connected', callSid, until: now + CONNECTED_MS, heardAt: now };
        if (CALL_ENDS.has(decision.kind)) return { kind: 'on_line', callSid, until: now + LAST_WORDS_MS, heardAt: now };
        const listening = decision.kind === 'agent_missed' && decision.play ? deps.policy.voicemail.maxSeconds * 1000 : 0;
        const kind = ['agent_page_greeting', 'agent_briefing', 'agent_connect'].includes(decision.kind) ? 'briefing' : 'on_line';
        return { kind, callSid, until: now + NEXT_WEBHOOK_MS + listening, heardAt: now };
      };
      await busy.replaceIf(sysadminId, callSid, busyFor()).catch((error: unknown) => {
        log.warn({ err: error, sysadminId, callSid }, 'could not renew a busy sysadmin: the entry runs out as it was');
      });
      return decision;
    },

    pageEnded: (pageCallSid: string, callStatus: string) => outcomes.callEnded(pageCallSid, callStatus, 'page'),

    /** The number's status callback, for every inbound call: a sysadmin's frees them, and is called back. */
    async inboundEnded(callSid: string, callStatus: string): Promise<void> {
      await Promise.all([outcomes.callEnded(callSid, callStatus, 'number'), phoneIn.rotaCallEnded(callSid)]);
    },
  };
}

export type AgentFlow = ReturnType<typeof createAgentFlow>;
