import { loadAndRun, resolveUrl, type Outcome } from './call-runner.js';
import type { Party } from './party.js';
import type { Dequeue, QueueMember, SimQueue } from './queue-registry.js';
import { say, type SimContext } from './sim-context.js';
import { requestIgnoringAnswer } from './status-callbacks.js';
import type { DialQueueVerb } from './twiml-document.js';
import { deferred } from './virtual-clock.js';

/**
 * <Dial><Queue> (https://www.twilio.com/docs/voice/twiml/queue and
 * https://www.twilio.com/docs/voice/twiml/dial): connects the first member of
 * the queue. An unknown queue posts an error status to the action
 * (DialCallStatus=failed); an empty one makes Dial wait until someone joins
 * or its timeout passes (Twilio's timeouts run ~5 s long), then no-answer.
 * The <Queue url> document runs on the dequeued caller first; after the
 * conversation (both hang up) the action gets DialCallStatus=completed,
 * DialCallSid and DialCallDuration, and its TwiML is not run.
 * Choices where the docs are silent: a dialer who hangs up while waiting gets
 * DialCallStatus=canceled; a dequeued caller who hangs up during the <Queue
 * url> document is skipped and the next member (or the wait) follows.
 */
async function talk(ctx: SimContext, dialer: Party, member: QueueMember, dequeue: Dequeue): Promise<number> {
  const caller = member.party;
  const bridgedAt = ctx.clock.now();
  say(ctx, dialer, `(connected with ${caller.init.label})`);
  const seconds = Math.min(dialer.init.talkSeconds, caller.init.talkSeconds);
  await Promise.race([ctx.clock.sleep(seconds), dialer.gone, caller.gone]);
  say(ctx, dialer, '(the conversation ends; both hang up)');
  dialer.hangUp();
  caller.hangUp();
  dequeue.ended.resolve();
  return Math.round(ctx.clock.now() - bridgedAt);
}

async function takeFirst(ctx: SimContext, dialer: Party, queue: SimQueue, verb: DialQueueVerb, docUrl: string): Promise<{ member: QueueMember; dequeue: Dequeue } | undefined> {
  const member = queue.members[0];
  if (member === undefined) return undefined;
  ctx.queues.remove(queue, member, ctx.clock.now() - member.enqueuedAt);
  const dequeue: Dequeue = {
    dequeuingCallSid: dialer.sid,
    url: verb.url === undefined ? undefined : resolveUrl(verb.url, docUrl),
    urlMethod: verb.urlMethod,
    connected: deferred<boolean>(),
    ended: deferred(),
  };
  member.dequeued.resolve(dequeue);
  return (await dequeue.connected.promise) ? { member, dequeue } : undefined;
}

export async function dialQueue(ctx: SimContext, dialer: Party, verb: DialQueueVerb, docUrl: string): Promise<Outcome | 'next-verb'> {
  const finish = async (params: Record<string, string>): Promise<Outcome | 'next-verb'> => {
    if (verb.action === undefined) return dialer.isGone ? 'gone' : 'next-verb';
    const action = resolveUrl(verb.action, docUrl);
    if (!dialer.isGone) return loadAndRun(ctx, dialer, action, verb.method, params, 'call');
    await requestIgnoringAnswer(ctx, dialer.sid, action, verb.method, { ...dialer.params, CallStatus: 'completed', ...params });
    return 'gone';
  };
  const queue = ctx.queues.byName(verb.queue);
  if (queue === undefined) {
    say(ctx, dialer, `(queue ${verb.queue} does not exist)`);
    return finish({ DialCallStatus: 'failed' });
  }
  say(ctx, dialer, `(dials queue ${verb.queue})`);
  const deadline = ctx.clock.now() + verb.timeout + ctx.extraRingSeconds;
  for (;;) {
    const taken = await takeFirst(ctx, dialer, queue, verb, docUrl);
    if (taken !== undefined) {
      const duration = await talk(ctx, dialer, taken.member, taken.dequeue);
      return finish({ DialCallStatus: 'completed', DialCallSid: taken.member.callSid, DialCallDuration: String(duration), QueueSid: queue.sid });
    }
    if (queue.members.length > 0) continue;
    const left = deadline - ctx.clock.now();
    if (left <= 0) {
      say(ctx, dialer, `(nobody joined queue ${verb.queue})`);
      return finish({ DialCallStatus: 'no-answer', QueueSid: queue.sid });
    }
    const waited = await dialer.race(Promise.race([queue.joined.promise, ctx.clock.sleep(left)]));
    if (waited === 'gone') return finish({ DialCallStatus: 'canceled', QueueSid: queue.sid });
  }
}
