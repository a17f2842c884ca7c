import { z } from 'zod';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import type { AgentDecision } from '../../oncall/agent-decisions.js';
import type { AgentTwimlRenderer } from '../../ivr/render-agent-twiml.js';
import { EMPTY_TWIML } from './webhook-answers.js';
import { withFallback, type Webhook, type WebhookRequest } from './webhook-handler.js';
import { callParams } from './webhook-params.js';

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
const bridgedCaller = callParams.extend({ DequeingCallSid: sid.optional() });
/**
 * The sysadmin's <Dial><Queue> ended (https://www.twilio.com/docs/voice/twiml/dial): DialBridged
 * says whether the two were connected; without it, `completed` is only reported after a bridge.
 */
const dialedQueue = z
  .looseObject({ CallSid: sid, DialCallStatus: z.string().max(32).default('failed'), DialBridged: z.enum(['true', 'false']).optional().catch(undefined) })
  .transform(({ CallSid, DialBridged, DialCallStatus }) => {
    return { CallSid, bridged: DialBridged === undefined ? DialCallStatus === 'completed' : DialBridged === 'true' };
  });

/** The sysadmin's webhooks, SPEC section 5 (signed, under /twilio like the caller's). */
export function agentWebhooks(deps: { agent: AgentFlow; render: AgentTwimlRenderer }): Record<string, Webhook> {
  const { agent, render } = deps;
  /**
   * A step of a sysadmin's call, decided from the URL's query and Twilio's form; the answer also
   * renews how long that call keeps them busy. A sysadmin whose step fails hears why in their own
   * words (not the customers' apology): paging goes on.
   */
  const sysadminStep = <Q extends { sysadmin: string }, F extends { CallSid: string }>(
    query: z.ZodType<Q>,
    form: z.ZodType<F>,
    decide: (query: Q, form: F) => Promise<AgentDecision>,
    onFailure: (req: WebhookRequest) => string = () => render({ kind: 'agent_line_trouble' }),
  ): Webhook =>
    withFallback(
      async (req) => {
        const asked = query.parse(req.query);
        const call = form.parse(req.body);
        return render(await agent.heardFrom(asked.sysadmin, call.CallSid, await decide(asked, call)));
      },
      onFailure,
    );
  return {
    // A page answered, by a person or a voicemail box (no machine detection: see twilio-dialer.ts). The
    // greeting needs no books, so a person who answers always reaches it, even when Redis is slow.
    '/agent': sysadminStep(
      pageQuery,
      agentCall,
      ({ sysadmin, caller }, { CallSid }) =>
        agent.pageAnswered({ sysadminId: sysadmin, callerSid: caller, agentCallSid: CallSid }),
      (req) => {
        const page = pageQuery.safeParse(req.query);
        return render(page.success ? { kind: 'agent_page_greeting', sysadminId: page.data.sysadmin, caller: page.data.caller } : { kind: 'agent_goodbye' });
      },
    ),

    // The call back to a sysadmin who phoned in, answered on their registered phone (no machine
    // detection: a person with a long greeting is not hung up on; a voicemail box types no PIN).
    '/agent-phone-in': sysadminStep(sysadminQuery, agentCall, ({ sysadmin }, call) => {
      return agent.verificationAnswered(sysadmin, call.CallSid);
    }),

    // The call back ended, however it ended.
    '/agent-phone-in-status': async (req) => {
      const { sysadmin } = sysadminQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      await agent.verificationEnded(sysadmin, call.CallSid, call.CallStatus);
      return EMPTY_TWIML;
    },

    // A sysadmin on the call back typed their on-call PIN.
    '/agent-pin': sysadminStep(pinQuery, agentCall, ({ sysadmin, attempt }, call) => {
      return agent.checkOncallPin({ sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, attempt });
    }),

    '/agent-answer': sysadminStep(answerQuery, agentCall, ({ sysadmin, step, about }, call) => {
      const pressed = { sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, about };
      return step === 'hear' ? agent.hear(pressed) : agent.take(pressed);
    }),

    // The <Queue> url, fetched for the caller just before the bridge: it may only Play, Say, Pause or
    // Redirect, and says the same whatever the books do, so Redis down never turns a connection into a hang-up.
    '/bridge': withFallback(
      async (req) => {
        const { sysadmin, about } = aboutQuery.parse(req.query);
        const caller = bridgedCaller.parse(req.body);
        const agentCallSid = caller.DequeingCallSid ?? '';
        await agent.books.prepare({ callerSid: about, sysadminId: sysadmin, agentCallSid, from: caller.From });
        return render({ kind: 'caller_connected' });
      },
      () => render({ kind: 'caller_connected' }),
    ),

    // The sysadmin's <Dial> ended: a finished conversation, or a caller who had left.
    '/agent-dialed': sysadminStep(aboutQuery, dialedQueue, ({ sysadmin, about }, { CallSid, bridged }) => {
      return agent.dialEnded({ sysadminId: sysadmin, agentCallSid: CallSid, about, bridged });
    }),

    // A sysadmin who phoned in chose what to do about a missed caller.
    '/agent-missed': sysadminStep(missedQuery, agentCall, ({ sysadmin, index, about }, { CallSid, Digits }) => {
      return agent.callbacks.choose({ sysadminId: sysadmin, agentCallSid: CallSid, digits: Digits, index, about });
    }),

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
      return render(await agent.callbacks.answered({ about, agentCallSid: leg.ParentCallSid, digits: leg.Digits }));
    },

    // The callback's <Dial> ended.
    '/callback-dialed': sysadminStep(aboutQuery, dialResult, ({ sysadmin, about }, dial) => {
      return agent.callbacks.dialEnded({
        sysadminId: sysadmin,
        agentCallSid: dial.CallSid,
        about,
        dialCallStatus: dial.DialCallStatus,
        ...(dial.DialCallSid === undefined ? {} : { dialCallSid: dial.DialCallSid }),
      });
    }),

    // A page call ended, however it ended.
    '/agent-status': async (req) => {
      pageQuery.parse(req.query);
      const call = agentCall.parse(req.body);
      await agent.pageEnded(call.CallSid, call.CallStatus);
      return EMPTY_TWIML;
    },
  };
}
