import type { PlacedCall } from '../../sim/twilio-rest-api.js';
import type { HeldCaller } from './outage-callers.js';
import { attribute, callEnds, callParams } from './outage-line.js';
import type { Webhooks } from './outage-webhooks.js';

/** The text inside the first <tag>. */
const between = (xml: string, tag: string): string => new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';

/**
 * A sysadmin who answers a page and takes the caller, with the webhooks Twilio sends on the way
 * (the same order as the simulator's sim/dial-queue-verb.ts and sim/enqueue-verb.ts):
 * the page's Url answered; 1 to hear who is calling; 1 to take them; the <Dial><Queue>
 * dequeues the caller, whose <Queue url> is fetched (https://www.twilio.com/docs/voice/twiml/queue);
 * they talk; when the caller hangs up, the caller's <Enqueue> action gets QueueResult=bridged
 * (https://www.twilio.com/docs/voice/twiml/enqueue) and the sysadmin's <Dial> action DialBridged=true
 * (https://www.twilio.com/docs/voice/twiml/dial); the sysadmin hangs up.
 * Returns whether the caller was bridged; either way the sysadmin has hung up (the page's status
 * callback is the phone's to send: outage-phones.ts).
 */
export async function takeTheCall(webhooks: Webhooks, placed: PlacedCall, callerOf: (callSid: string) => HeldCaller | undefined, talkMs: number): Promise<boolean> {
  const page = { CallSid: placed.sid, AccountSid: placed.accountSid, From: placed.from, To: placed.to, Direction: 'outbound-api', ApiVersion: '2010-04-01', CallStatus: 'in-progress' };
  let answer = await webhooks.send(placed.url, page);
  // 1 to hear who is calling, then 1 to take them.
  for (let press = 0; press < 2; press += 1) {
    const action = attribute(answer.body, 'Gather', 'action');
    if (action === '') return false;
    answer = await webhooks.send(action, { ...page, Digits: '1' });
  }
  const dialed = attribute(answer.body, 'Dial', 'action');
  const bridgeUrl = attribute(answer.body, 'Queue', 'url');
  const caller = callerOf(between(answer.body, 'Queue').replace(/^cg-/, ''));
  // Told the caller has gone, or no <Dial>: the sysadmin hangs up.
  if (dialed === '' || bridgeUrl === '' || caller === undefined || caller.hungUpAt !== undefined) return false;

  // Dequeued: the caller stops hearing the wait URL and hears the <Queue url> document.
  caller.bridgedAt = Date.now();
  const steps: NonNullable<HeldCaller['bridge']> = [];
  caller.bridge = steps;
  const send = async (url: string, params: Record<string, string>) => {
    const { kind } = await webhooks.send(url, params);
    steps.push({ path: new URL(url).pathname, kind, at: Date.now() });
  };
  const queueTime = String(Math.round((Date.now() - caller.enqueuedAt) / 1000));
  await send(bridgeUrl, { ...callParams(placed.accountSid, caller.callSid, caller.from), QueueSid: caller.queueSid, QueueTime: queueTime, DequeingCallSid: placed.sid });
  await new Promise((resolve) => setTimeout(resolve, talkMs));
  const talked = String(Math.round(talkMs / 1000));
  await send(caller.actionUrl, { ...callParams(placed.accountSid, caller.callSid, caller.from, 'completed'), QueueResult: 'bridged', QueueSid: caller.queueSid, QueueTime: queueTime });
  await send(dialed, { ...page, DialCallStatus: 'completed', DialCallSid: caller.callSid, DialCallDuration: talked, QueueSid: caller.queueSid, DialBridged: 'true' });
  await callEnds(webhooks, placed.accountSid, caller, Number(queueTime) + Number(talked));
  return true;
}
