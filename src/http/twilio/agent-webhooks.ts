import twilio from 'twilio';
import { z } from 'zod';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import type { AgentDecision } from '../../oncall/agent-decisions.js';
import type { AgentTwimlRenderer } from '../../ivr/render-agent-twiml.js';
import { withFallback, type Webhook } from './webhook-handler.js';

// Query strings come from URLs callgate wrote; the signature check already proved them unaltered.
const sid = z.string().min(1).max(64);
const pageQuery = z.looseObject({ sysadmin: sid, caller: sid });
const answerQuery = z.looseObject({ sysadmin: sid, step: z.enum(['hear', 'take']), about: sid });
const aboutQuery = z.looseObject({ sysadmin: sid, about: sid });
const missedQuery = z.looseObject({ sysadmin: sid, index: z.coerce.number().int().min(0).max(100).catch(0), about: sid });
const callbackQuery = z.looseObject({ about: sid });
const dialResult = z.looseObject({ CallSid: sid, DialCallStatus: z.string().max(32).default('failed'), DialCallSid: sid.optional().catch(undefined) });
const sysadminQuery = z.looseObject({ sysadmin: sid });
const pinQuery = z.looseObject({ sysadmin: sid, attempt: z.coerce.number().int().min(1).max(10).catch(1) });
const agentCall = z.looseObject({
  CallSid: sid,
  Digits: z.string().max(32).default(''),
  CallStatus: z.string().max(32).default('completed'),
});
// The customer's leg of a callback (https://www.twilio.com/docs/voice/twiml/number): ParentCallSid is the sysadmin's call.
const calledLeg = z.looseObject({ ParentCallSid: sid, Digits: z.string().max(32).default('') });
const bridgedCaller = z.looseObject({
  CallSid: sid,
  From: z.string().max(64).default(''),
  DequeingCallSid: sid.optional(),
});
/**
 * The sysadmin's <Dial><Queue> ended (https://www.twilio.com/docs/voice/twiml/dial): DialBridged
 * says whether the two were connected; without it, `completed` is only reported after a bridge.
 */
const dialedQueue = z
  .looseObject({ CallSid: sid, DialCallStatus: z.string().max(32).default('failed'), DialBridged: z.enum(['true', 'false']).optional().catch(undefined) })
  .transform((dial) => ({ callSid: dial.CallSid, bridged: dial.DialBridged === undefined ? dial.DialCallStatus === 'completed' : dial.DialBridged === 'true' }));

// Status callbacks get an empty document: there is no call left to instruct.
const NOTHING = new twilio.twiml.VoiceResponse().toString();

/** The sysadmin's webhooks, SPEC section 5 (signed, under /twilio like the caller's). */
export function agentWebhooks(deps: { agent: AgentFlow; render: AgentTwimlRenderer }): Record<string, Webhook> {
  const { agent, render } = deps;
  /** A sysadmin's call answered; the answer also renews how long that call keeps them busy. */
  const answer = async (sysadminId: string, callSid: string, decision: Promise<AgentDecision>): Promise<string> =>
    render(await agent.heardFrom(sysadminId, callSid, await decision));
  // A sysadmin whose step fails hears why in their own words (not the customers' apology): paging goes on.
  const forSysadmin = (webhook: Webhook): Webhook => withFallback(webhook, () => render({ kind: 'agent_line_trouble' }));
  const routes: Record<string, Webhook> = {
    // A page was answered: by a person or a voicemail box alike (no machine detection: see twilio-dialer.ts).
    // The greeting says nothing about a customer and needs no books, so a person who answers always
    // reaches it, even when Redis is slow (never the customers' apology and a hang-up).
    '/agent': withFallback(
      async (req) => {
        const { sysadmin, caller } = pageQuery.parse(req.query);
        const call = agentCall.parse(req.body);
        return answer(sysadmin, call.CallSid, agent.pageAnswered({ sysadminId: sysadmin, callerSid: caller, agentCallSid: call.CallSid }));
      },
      (req) => {
        const page = pageQuery.safeParse(req.query);
        return render(page.success ? { kind: 'agent_page_greeting', sysadminId: page.data.sysadmin, caller: page.data.caller } : { kind: 'agent_goodbye' });
      },
    ),

    // The call back to a sysadmin who phoned in, answered on their registered phone (no machine
    // detection: a person with a long greeting is not hung up on; a voicemail box types no PIN).
    '/agent-phone-in': async (req) => {
      const { sysadmin } = sysadminQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      return answer(sysadmin, call.CallSid, agent.verificationAnswered(sysadmin, call.CallSid));
    },

    // The call back ended, however it ended.
    '/agent-phone-in-status': async (req) => {
      const { sysadmin } = sysadminQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      await agent.verificationEnded(sysadmin, call.CallSid, call.CallStatus);
      return NOTHING;
    },

    // A sysadmin on the call back typed their on-call PIN.
    '/agent-pin': async (req) => {
      const { sysadmin, attempt } = pinQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      return answer(sysadmin, call.CallSid, agent.checkOncallPin({ sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, attempt }));
    },

    '/agent-answer': async (req) => {
      const { sysadmin, step, about } = answerQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      const pressed = { sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, about };
      return answer(sysadmin, call.CallSid, step === 'hear' ? agent.hear(pressed) : agent.take(pressed));
    },

    // The <Queue> url, fetched for the caller just before the bridge: it only prepares (the bridge
    // is booked from Twilio's report of it). It may only Play, Say, Pause or Redirect, and it
    // always says the same thing: failing bookkeeping (Redis down) must never turn a connection
    // into an apology and a hang-up.
    '/bridge': withFallback(
      async (req) => {
        const { sysadmin, about } = aboutQuery.parse(req.query);
        const caller = bridgedCaller.parse(req.body);
        await agent.prepareBridge({ callerSid: about, sysadminId: sysadmin, agentCallSid: caller.DequeingCallSid ?? '', from: caller.From });
        return render({ kind: 'caller_connected' });
      },
      () => render({ kind: 'caller_connected' }),
    ),

    // The sysadmin's <Dial> ended: a finished conversation, or a caller who had left.
    '/agent-dialed': async (req) => {
      const { sysadmin, about } = aboutQuery.parse(req.query);
      const dial = dialedQueue.parse(req.body);
      return answer(sysadmin, dial.callSid, agent.dialEnded({ sysadminId: sysadmin, agentCallSid: dial.callSid, about, bridged: dial.bridged }));
    },

    // A sysadmin who phoned in chose what to do about a missed caller.
    '/agent-missed': async (req) => {
      const { sysadmin, index, about } = missedQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      const choice = agent.missedChoice({ sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, index, about });
      return answer(sysadmin, call.CallSid, choice);
    },

    // The <Number url> of a callback: the customer's phone answered; they hear who calls and why,
    // and 1 puts them through. Says the same whatever Redis does, so it never needs the books.
    '/callback-whisper': (req) => {
      const { about } = callbackQuery.parse(req.query);
      return render({ kind: 'callback_whisper', about });
    },

    // The whisper's key: 1 is a person, who is put through (ParentCallSid: the sysadmin's call).
    '/callback-answer': async (req) => {
      const { about } = callbackQuery.parse(req.query);
      const leg = calledLeg.parse(req.body);
      return render(await agent.callbackAnswered({ about, agentCallSid: leg.ParentCallSid, digits: leg.Digits }));
    },

    // The callback's <Dial> ended.
    '/callback-dialed': async (req) => {
      const { sysadmin, about } = aboutQuery.parse(req.query);
      const dial = dialResult.parse(req.body);
      const ended = agent.callbackDialed({
        sysadminId: sysadmin,
        agentCallSid: dial.CallSid,
        about,
        dialCallStatus: dial.DialCallStatus,
        ...(dial.DialCallSid === undefined ? {} : { dialCallSid: dial.DialCallSid }),
      });
      return answer(sysadmin, dial.CallSid, ended);
    },

    // A page call ended, however it ended.
    '/agent-status': async (req) => {
      pageQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      await agent.pageEnded(call.CallSid, call.CallStatus);
      return NOTHING;
    },
  };
  for (const path of ['/agent-phone-in', '/agent-pin', '/agent-answer', '/agent-dialed', '/agent-missed', '/callback-dialed']) {
    const webhook = routes[path];
    if (webhook !== undefined) routes[path] = forSysadmin(webhook);
  }
  return routes;
}
