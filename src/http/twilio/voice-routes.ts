import { readFileSync } from 'node:fs';
import express, { Router } from 'express';
import type { CallFlow } from '../../calls/call-flow.js';
import type { QueueFlow } from '../../calls/queue-flow.js';
import type { VoicemailFlow } from '../../calls/voicemail-flow.js';
import { TWIML_DIR } from '../../ivr/prompt-catalogue.js';
import type { AgentTwimlRenderer } from '../../ivr/render-agent-twiml.js';
import type { TwimlRenderer } from '../../ivr/render-twiml.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import { countRedisFailures, timeWebhooks } from '../metrics-middleware.js';
import { addAgentRoutes } from './agent-routes.js';
import { requireTwilioSignature } from './twilio-signature.js';
import { ANSWER_WITHIN_MS, PIN_USE_BUDGET_MS } from './webhook-budget.js';
import { sendTwiml, twimlErrors, within } from './twiml-errors.js';
import { callParams, pinParams, pinQuery, queueResultParams, recordingParams, statusParams, waitParams } from './webhook-params.js';


/** Twilio's voice webhooks, SPEC section 4: each parses, asks the call flow, renders TwiML. */
export function voiceRoutes(deps: {
  flow: CallFlow;
  queueFlow: QueueFlow;
  voicemail: VoicemailFlow;
  agent: AgentFlow;
  twiml: TwimlRenderer;
  agentTwiml: AgentTwimlRenderer;
  authToken: string;
  publicBaseUrl: string;
  metrics: Metrics;
}): Router {
  const { flow, queueFlow, agent, twiml } = deps;
  const fallback = readFileSync(new URL('fallback.xml', TWIML_DIR), 'utf8');
  const router = Router();
  router.use(timeWebhooks(deps.metrics));

  // The static fallback needs no signature: it says nothing that depends on the caller.
  router.all('/fallback', (_req, res) => {
    sendTwiml(res, fallback);
  });

  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.use(requireTwilioSignature(deps.authToken, deps.publicBaseUrl));
  router.use((req, _res, next) => {
    const sid = (req.body as { CallSid?: unknown }).CallSid;
    if (typeof sid === 'string') req.log = req.log.child({ callSid: sid });
    next();
  });

  router.post('/voice', async (req, res) => {
    const call = callParams.parse(req.body);
    const answer = async () => {
      // A call from a rota phone is asked for the on-call PIN: caller ID alone proves nothing.
      const sysadminId = await agent.sysadminByPhone(call.From);
      if (sysadminId !== undefined) return deps.agentTwiml(await agent.phonedIn(sysadminId, call.CallSid, call.StirVerstat));
      return twiml.render(await flow.answer({ callSid: call.CallSid, from: call.From }));
    };
    sendTwiml(res, await within(ANSWER_WITHIN_MS, answer()));
  });

  router.post('/pin', async (req, res) => {
    const started = Date.now();
    const entry = pinParams.parse(req.body);
    const { attempt } = pinQuery.parse(req.query);
    const decision = await within(
      ANSWER_WITHIN_MS,
      flow.checkPin({
        callSid: entry.CallSid,
        from: entry.From,
        digits: entry.Digits,
        attempt,
        notAfter: started + PIN_USE_BUDGET_MS,
      }),
    );
    sendTwiml(res, twiml.render(decision));
  });

  router.post('/wait', async (req, res) => {
    const wait = waitParams.parse(req.body);
    sendTwiml(res, twiml.render(await within(ANSWER_WITHIN_MS, queueFlow.waitInQueue({ callSid: wait.CallSid, queueTime: wait.QueueTime }))));
  });

  router.post('/queue-result', async (req, res) => {
    const left = queueResultParams.parse(req.body);
    const decision = await within(
      ANSWER_WITHIN_MS,
      queueFlow.leftQueue({ callSid: left.CallSid, from: left.From, result: left.QueueResult, queueTime: left.QueueTime, queueSid: left.QueueSid }),
    );
    sendTwiml(res, twiml.render(decision));
  });

  router.post('/status', async (req, res) => {
    const status = statusParams.parse(req.body);
    // Every inbound call ends here, customers' and sysadmins' who phoned in alike.
    await within(
      ANSWER_WITHIN_MS,
      Promise.all([
        queueFlow.ended({ callSid: status.CallSid, from: status.From, callStatus: status.CallStatus, durationSeconds: status.CallDuration }),
        agent.inboundEnded(status.CallSid, status.CallStatus),
      ]),
    );
    sendTwiml(res, twiml.render({ kind: 'nothing' }));
  });

  // The <Record> action: the caller finished their message.
  router.post('/voicemail', (_req, res) => {
    sendTwiml(res, twiml.render(queueFlow.messageLeft()));
  });

  // The recording status callback: the message's URL and length, signed like every webhook.
  router.post('/recording', async (req, res) => {
    const recording = recordingParams.parse(req.body);
    await within(
      ANSWER_WITHIN_MS,
      deps.voicemail.recordingReady({
        callSid: recording.CallSid,
        recordingSid: recording.RecordingSid,
        url: recording.RecordingUrl,
        seconds: recording.RecordingDuration,
        status: recording.RecordingStatus,
      }),
    );
    sendTwiml(res, twiml.render({ kind: 'nothing' }));
  });

  addAgentRoutes(router, { agent, render: deps.agentTwiml });

  router.use((req, res) => {
    req.log.warn({ path: req.path }, 'webhook for an unknown path: check the number configuration in Twilio');
    sendTwiml(res, twiml.apology);
  });
  router.use(countRedisFailures(deps.metrics));
  router.use(twimlErrors(twiml.apology));
  return router;
}
