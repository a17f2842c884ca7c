import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { CallFlow } from '../../calls/call-flow.js';
import type { QueueFlow } from '../../calls/queue-flow.js';
import type { VoicemailFlow } from '../../calls/voicemail-flow.js';
import { TWIML_DIR } from '../../ivr/prompt-catalogue.js';
import type { AgentTwimlRenderer } from '../../ivr/render-agent-twiml.js';
import type { TwimlRenderer } from '../../ivr/render-twiml.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Logger } from '../../logger.js';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import { agentWebhooks } from './agent-webhooks.js';
import { within } from './webhook-answers.js';
import { ANSWER_WITHIN_MS, PIN_USE_BUDGET_MS } from './webhook-budget.js';
import { webhookHandler, type Webhook } from './webhook-handler.js';
import { callParams, pinParams, pinQuery, queueResultParams, recordingParams, statusParams, waitParams } from './webhook-params.js';

/** Twilio's voice webhooks, SPEC sections 4 and 5: each parses, asks the call flow, renders TwiML. */
export function twilioWebhooks(deps: {
  flow: CallFlow;
  queueFlow: QueueFlow;
  voicemail: VoicemailFlow;
  agent: AgentFlow;
  twiml: TwimlRenderer;
  agentTwiml: AgentTwimlRenderer;
  authToken: string;
  publicBaseUrl: string;
  metrics: Metrics;
  log: Logger;
}): RequestListener {
  const { flow, queueFlow, agent, twiml } = deps;

  const callerWebhooks: Record<string, Webhook> = {
    '/voice': async (req) => {
      const call = callParams.parse(req.body);
      const answer = async () => {
        // A call from a rota phone is called back on the registered phone: caller ID alone proves nothing.
        const sysadminId = await agent.sysadminByPhone(call.From);
        if (sysadminId !== undefined) return deps.agentTwiml(await agent.phonedIn(sysadminId, call.CallSid, call.StirVerstat));
        return twiml.render(await flow.answer({ callSid: call.CallSid, from: call.From }));
      };
      return within(ANSWER_WITHIN_MS, answer());
    },

    '/pin': async (req) => {
      const started = Date.now();
      const entry = pinParams.parse(req.body);
      const { attempt } = pinQuery.parse(req.query);
      const decision = await within(
        ANSWER_WITHIN_MS,
        flow.checkPin({ callSid: entry.CallSid, from: entry.From, digits: entry.Digits, attempt, notAfter: started + PIN_USE_BUDGET_MS }),
      );
      return twiml.render(decision);
    },

    // A caller on hold is never dropped by callgate's own fault: whatever fails here, they hold again.
    '/wait': async (req) => {
      const queueTime = Number(req.body.QueueTime);
      try {
        const wait = waitParams.parse(req.body);
        return twiml.render(await within(ANSWER_WITHIN_MS, queueFlow.waitInQueue({ callSid: wait.CallSid, queueTime: wait.QueueTime })));
      } catch (error) {
        req.log.error({ err: error }, 'the wait URL failed: the caller holds again');
        return twiml.render(queueFlow.waitFailed(Number.isFinite(queueTime) ? queueTime : 0));
      }
    },

    '/queue-result': async (req) => {
      const left = queueResultParams.parse(req.body);
      const decision = await within(
        ANSWER_WITHIN_MS,
        queueFlow.leftQueue({ callSid: left.CallSid, from: left.From, result: left.QueueResult, queueTime: left.QueueTime, queueSid: left.QueueSid }),
      );
      return twiml.render(decision);
    },

    '/status': async (req) => {
      const status = statusParams.parse(req.body);
      // Every inbound call ends here, customers' and sysadmins' who phoned in alike.
      await within(
        ANSWER_WITHIN_MS,
        Promise.all([
          queueFlow.ended({ callSid: status.CallSid, from: status.From, callStatus: status.CallStatus, durationSeconds: status.CallDuration }),
          agent.inboundEnded(status.CallSid, status.CallStatus),
        ]),
      );
      return twiml.render({ kind: 'nothing' });
    },

    // The <Record> action: the caller finished their message.
    '/voicemail': () => twiml.render(queueFlow.messageLeft()),

    // The recording status callback: the message's URL and length, signed like every webhook.
    '/recording': async (req) => {
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
      return twiml.render({ kind: 'nothing' });
    },
  };

  return webhookHandler({
    webhooks: new Map(Object.entries({ ...callerWebhooks, ...agentWebhooks({ agent, render: deps.agentTwiml }) })),
    fallback: readFileSync(new URL('fallback.xml', TWIML_DIR), 'utf8'),
    apology: twiml.apology,
    authToken: deps.authToken,
    publicBaseUrl: deps.publicBaseUrl,
    metrics: deps.metrics,
    log: deps.log,
  });
}
