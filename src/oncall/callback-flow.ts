import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import type { AgentDecision } from './agent-decisions.js';
import type { CallEvents } from './call-events.js';
import type { MissedCall, MissedCallers } from './missed-callers.js';
import { missedMenu } from './missed-menu.js';

// A callback claim older than this (the sysadmin's call died unseen) no longer holds the customer.
const CALLBACK_CLAIM_MS = 120_000;

// Calling missed customers back, for a sysadmin who gave their on-call PIN: one at a time (missed-menu.ts),
// 1 dials an allowed number, 2 the next, 3 plays their message, 9 who is waiting now.
export function createCallbackFlow(deps: {
  missed: MissedCallers;
  audit: AuditLog;
  events: CallEvents;
  clock: Clock;
  log: Logger;
  /** The briefing on callers waiting now, when the missed ones are done with. */
  brief: (sysadminId: string, agentCallSid: string) => Promise<AgentDecision>;
  isAuthenticated: (sysadminId: string, agentCallSid: string) => Promise<boolean>;
}) {
  const { missed, audit, events, clock, log, brief, isAuthenticated } = deps;

  /** Missed calls this sysadmin may call back (not connected, nobody else ringing them), as the menu offers them. */
  async function offered(agentCallSid: string, now: number): Promise<{ offered: MissedCall[]; heldBack: number }> {
    const open = await missed.open(now);
    return missedMenu(open.filter((call) => call.callback === undefined || call.callback.agentCallSid === agentCallSid || call.callback.at < now - CALLBACK_CLAIM_MS));
  }

  async function missedOrBrief(sysadminId: string, agentCallSid: string, index = 0, extra: { play?: boolean; notice?: 'no_answer' } = {}): Promise<AgentDecision> {
    const now = clock.now();
    const menu = await offered(agentCallSid, now);
    const call = menu.offered[index];
    if (call === undefined) return brief(sysadminId, agentCallSid);
    const { callSid, accountName, userName } = call;
    const agoSeconds = Math.max(0, Math.round((now - call.at) / 1000));
    const summary = { callSid, accountName, userName, agoSeconds, recordingUrl: call.voicemail?.url ?? null };
    return {
      kind: 'agent_missed',
      sysadminId,
      index,
      count: menu.offered.length,
      heldBack: menu.heldBack,
      missed: { ...summary, callBack: missed.callbackNumber(call) },
      play: extra.play === true,
      ...(extra.notice === undefined ? {} : { notice: extra.notice }),
    };
  }

  return {
    missedOrBrief,

    /** The key pressed while hearing about missed caller `index` (`about`). */
    async choose(choice: { sysadminId: string; agentCallSid: string; digits: string; index: number; about: string }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid, index, about } = choice;
      if (!(await isAuthenticated(sysadminId, agentCallSid))) return { kind: 'agent_goodbye' };
      // The list is read afresh at every key: move from where `about` is now (another sysadmin may
      // have closed an earlier call meanwhile), not from the position it had.
      const now = clock.now();
      const at = (await offered(agentCallSid, now)).offered.findIndex((call) => call.callSid === about);
      const here = at === -1 ? index : at;
      if (choice.digits === '2') return missedOrBrief(sysadminId, agentCallSid, at === -1 ? index : at + 1);
      if (choice.digits === '3') return missedOrBrief(sysadminId, agentCallSid, here, { play: true });
      if (choice.digits !== '1') return brief(sysadminId, agentCallSid);
      const call = await missed.get(about);
      // Judged again here, not taken from the menu: a number the line may not dial is never dialled.
      if (call === undefined) return missedOrBrief(sysadminId, agentCallSid, index);
      const number = missed.callbackNumber(call);
      if (number.kind === 'refused') {
        log.warn({ sysadminId, callSid: about, reason: number.reason }, 'a call-back to a number the line may not dial was refused');
        return missedOrBrief(sysadminId, agentCallSid, index);
      }
      const claimed = await missed.claimCallback(about, { sysadminId, agentCallSid, at: clock.now() }, CALLBACK_CLAIM_MS);
      if (!claimed) return missedOrBrief(sysadminId, agentCallSid, index);
      return { kind: 'agent_call_back', sysadminId, about, userName: call.userName, number: number.number };
    },

    /** The customer heard the whisper: 1 is a person, put through (a voicemail box presses nothing). */
    async answered(answer: { about: string; agentCallSid: string; digits: string }): Promise<AgentDecision> {
      if (answer.digits !== '1') return { kind: 'callback_declined' };
      // Put through even when Redis cannot note it: the missed call then stays open, to be called again.
      await missed.answerCallback(answer.about, answer.agentCallSid).catch((error: unknown) => {
        log.warn({ err: error, callSid: answer.about }, 'could not note that a customer took a call-back; the missed call stays open');
      });
      return { kind: 'callback_accepted' };
    },

    // The callback's <Dial> ended: closed only if the customer pressed 1 (DialCallStatus is `completed` for
    // any answer, a voicemail box's too).
    async dialEnded(dial: { sysadminId: string; agentCallSid: string; about: string; dialCallStatus: string; dialCallSid?: string }): Promise<AgentDecision> {
      const { sysadminId, agentCallSid, about } = dial;
      const closed = dial.dialCallStatus === 'completed' ? await missed.closeByCallback(about, agentCallSid) : undefined;
      const call = closed ?? (await missed.get(about));
      // Not spoken with (a retried action finds the call already closed by this callback).
      if (call?.callback?.agentCallSid !== agentCallSid || call.callback.state !== 'connected') {
        await missed.releaseCallback(about, agentCallSid);
        return missedOrBrief(sysadminId, agentCallSid, 0, { notice: 'no_answer' });
      }
      if (closed !== undefined) {
        await audit.record({ type: 'called_back', callSid: about, accountId: closed.accountId, userId: closed.userId, sysadminId });
      }
      // On every try (a retried action), kept once by the outbox.
      await events.calledBack(call, { sysadminId, callbackCallSid: dial.dialCallSid ?? agentCallSid });
      return { kind: 'agent_call_over' };
    },
  };
}

export type CallbackFlow = ReturnType<typeof createCallbackFlow>;
