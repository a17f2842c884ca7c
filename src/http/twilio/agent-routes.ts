import type { Router } from 'express';
import { z } from 'zod';
import type { TwimlRenderer } from '../../ivr/render-twiml.js';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import { sendTwiml, within } from './twiml-errors.js';
import { ANSWER_WITHIN_MS } from './webhook-budget.js';

const sysadminQuery = z.looseObject({ sysadmin: z.string().min(1).max(64) });
const answerQuery = sysadminQuery.extend({ about: z.string().max(64).default('') });
const agentCall = z.looseObject({ CallSid: z.string().min(1).max(64), Digits: z.string().max(16).default('') });
const pageStatus = z.looseObject({ CallSid: z.string().min(1).max(64), CallStatus: z.string().max(32).default('completed') });
const bridgedCaller = z.looseObject({ CallSid: z.string().min(1).max(64) });

/** The sysadmin's webhooks, SPEC section 5 (on the signed /twilio router). */
export function addAgentRoutes(router: Router, deps: { agent: AgentFlow; twiml: TwimlRenderer }): void {
  const { agent, twiml } = deps;

  // The page call was answered: brief the sysadmin and ask for 1.
  router.post('/agent', async (req, res) => {
    const { sysadmin } = sysadminQuery.parse(req.query);
    const call = agentCall.parse(req.body);
    sendTwiml(res, twiml.render(await within(ANSWER_WITHIN_MS, agent.brief(sysadmin, call.CallSid))));
  });

  router.post('/agent-answer', async (req, res) => {
    const { sysadmin, about } = answerQuery.parse(req.query);
    const call = agentCall.parse(req.body);
    const decision = await within(
      ANSWER_WITHIN_MS,
      agent.answer({ sysadminId: sysadmin, agentCallSid: call.CallSid, digits: call.Digits, about }),
    );
    sendTwiml(res, twiml.render(decision));
  });

  // The <Queue> url: requested for the queued caller just before the bridge.
  router.post('/bridge', async (req, res) => {
    const { sysadmin } = sysadminQuery.parse(req.query);
    const caller = bridgedCaller.parse(req.body);
    sendTwiml(res, twiml.render(await within(ANSWER_WITHIN_MS, agent.bridged(caller.CallSid, sysadmin))));
  });

  router.post('/agent-status', async (req, res) => {
    const { sysadmin } = sysadminQuery.parse(req.query);
    const status = pageStatus.parse(req.body);
    await within(
      ANSWER_WITHIN_MS,
      agent.pageEnded({ sysadminId: sysadmin, agentCallSid: status.CallSid, callStatus: status.CallStatus }),
    );
    sendTwiml(res, twiml.render({ kind: 'nothing' }));
  });
}
