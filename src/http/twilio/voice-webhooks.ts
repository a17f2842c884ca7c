import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { CallFlow } from '../../calls/call-flow.js';
import type { QueueFlow } from '../../calls/queue-flow.js';
import type { VoicemailFlow } from '../../calls/voicemail-flow.js';
import { TWIML_DIR } from '../../ivr/prompt-catalogue.js';
import type { AgentTwimlRenderer } from '../../ivr/render-agent-twiml.js';
import type { TwimlRenderer } from '../../ivr/render-twiml.js';
import type { AgentFlow } from '../../oncall/agent-flow.js';
import { agentWebhooks } from './agent-webhooks.js';
import { PIN_USE_BUDGET_MS } from './webhook-answers.js';
import { webhookHandler, withFallback, type Webhook } from './webhook-handler.js';
import { callParams, pinParams, pinQuery, queueResultParams, recordingParams, statusParams, waitParams } from './webhook-params.js';

/** Twilio's voice webhooks, SPEC sections 4 and 5: each parses, asks the call flow, renders TwiML. */
export function twilioWebhooks(
  deps: Omit<Parameters<typeof webhookHandler>[0], 'webhooks' | 'fallback' | 'apology'> & {
    flow: CallFlow;
    queueFlow: QueueFlow;
    voicemail: VoicemailFlow;
    agent: AgentFlow;
    twiml: TwimlRenderer;
    agentTwiml: AgentTwimlRenderer;
  },
): RequestListener {
  const { flow, queueFlow, agent, twiml } = deps;

  const callerWebhooks: Record<string, Webhook> = {
    '/voice': async (req) => {
      const call = callParams.parse(req.body);
      // A call from a rota phone is called back on the registered phone: caller ID alone proves nothing.
      const sysadminId = await agent.sysadminByPhone(call.From);
      if (sysadminId !== undefined) return deps.agentTwiml(await agent.phonedIn(sysadminId, call.CallSid, call.StirVerstat));
      return twiml.render(await flow.answer({ callSid: call.CallSid, from: call.From }));
    },

    '/pin': async (req) => {
      const notAfter = Date.now() + PIN_USE_BUDGET_MS;
      const entry = pinParams.parse(req.body);
      const { attempt } = pinQuery.parse(req.query);
      return twiml.render(await flow.checkPin({ callSid: entry.CallSid, from: entry.From, digits: entry.Digits, attempt, notAfter }));
    },

    // A caller on hold is never dropped by callgate's own fault: whatever fails here, they hold again.
    '/wait': withFallback(
      async (req) => {
        const wait = waitParams.parse(req.body);
        return twiml.render(await queueFlow.waitInQueue({ callSid: wait.CallSid, queueTime: wait.QueueTime }));
      },
      (req) => twiml.render(queueFlow.waitFailed(waitParams.shape.QueueTime.parse(req.body.QueueTime))),
    ),

    '/queue-result': async (req) => {
      const { CallSid: callSid, From: from, QueueResult: result, QueueTime: queueTime, QueueSid: queueSid } = queueResultParams.parse(req.body);
      return twiml.render(await queueFlow.leftQueue({ callSid, from, result, queueTime, queueSid }));
    },

    // Every inbound call ends here, customers' and sysadmins' who phoned in alike.
    '/status': async (req) => {
      const status = statusParams.parse(req.body);
      await Promise.all([
        queueFlow.ended({ callSid: status.CallSid, from: status.From, callStatus: status.CallStatus, durationSeconds: status.CallDuration }),
        agent.inboundEnded(status.CallSid, status.CallStatus),
      ]);
      return twiml.render({ kind: 'nothing' });
    },

    // The <Record> action: the caller finished their message.
    '/voicemail': () => twiml.render(queueFlow.messageLeft()),

    // The recording status callback: the message's URL and length, signed like every webhook.
    '/recording': async (req) => {
      const { CallSid: callSid, RecordingSid: recordingSid, RecordingUrl: url, RecordingDuration: seconds, RecordingStatus: status } =
        recordingParams.parse(req.body);
      await deps.voicemail.recordingReady({ callSid, recordingSid, url, seconds, status });
      return twiml.render({ kind: 'nothing' });
    },
  };

  return webhookHandler({
    ...deps,
    webhooks: new Map(Object.entries({ ...callerWebhooks, ...agentWebhooks({ agent, render: deps.agentTwiml }) })),
    fallback: readFileSync(new URL('fallback.xml', TWIML_DIR), 'utf8'),
    apology: twiml.apology,
  });
}
