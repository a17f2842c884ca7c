import { resolveUrl, type Outcome } from './twiml-run.js';
import { converse } from './conversation.js';
import type { Party } from './party.js';
import type { Dequeue, QueueMember } from './queue-registry.js';
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
 * The <Queue url> document runs on the dequeued caller first; then the two
 * talk until one hangs up (conversation.ts). The action gets
 * DialCallStatus=completed, DialCallSid (the caller's), DialCallDuration,
 * QueueSid and DialBridged=true, and its TwiML runs if the dialer is still on
 * the line (the caller hung up first, or was redirected away).
 * Every unbridged Dial posts DialBridged=false (the Dial page lists it among
 * the action's parameters, unconditionally).
 * Choices where the docs are silent: a dialer who hangs up while waiting gets
 * DialCallStatus=canceled; a dequeued caller who hangs up during the <Queue
 * url> document ends the Dial with DialCallStatus=completed (the call was
 * taken from the queue) and DialBridged=false.
 */
/** Hands the member to its <Enqueue> side, which plays the <Queue url> document and says whether the bridge can start. */
async function dequeue(dialer: Party, member: QueueMember, verb: DialQueueVerb, docUrl: string): Promise<{ dequeue: Dequeue; connected: boolean }> {
  const taken: Dequeue = {
    dequeuingCallSid: dialer.sid,
    url: verb.url === undefined ? undefined : resolveUrl(verb.url, docUrl),
    urlMethod: verb.urlMethod,
    connected: deferred<boolean>(),
    ended: deferred(),
  };
  member.dequeued.resolve(taken);
  return { dequeue: taken, connected: await taken.connected.promise };
}

export async function dialQueue(ctx: SimContext, dialer: Party, verb: DialQueueVerb, docUrl: string): Promise<Outcome | 'next-verb'> {
  const finish = async (params: Record<string, string>): Promise<Outcome | 'next-verb'> => {
    if (verb.action === undefined) return dialer.isGone ? 'gone' : 'next-verb';
    const action = resolveUrl(verb.action, docUrl);
    if (!dialer.isGone) return ctx.run(dialer, action, verb.method, params, 'call');
    await requestIgnoringAnswer(ctx, dialer.sid, action, verb.method, { ...dialer.params, CallStatus: 'completed', ...params });
    return 'gone';
  };
  const queue = ctx.queues.byName(verb.queue);
  if (queue === undefined) {
    say(ctx, dialer, `(queue ${verb.queue} does not exist)`);
    return finish({ DialCallStatus: 'failed', DialBridged: 'false' });
  }
  say(ctx, dialer, `(dials queue ${verb.queue})`);
  const deadline = ctx.clock.now() + verb.timeout + ctx.extraRingSeconds;
  for (;;) {
    const first = queue.members[0];
    if (first !== undefined) {
      ctx.queues.remove(queue, first, ctx.clock.now() - first.enqueuedAt);
      const taken = await dequeue(dialer, first, verb, docUrl);
      const caller = first.party;
      if (!taken.connected) {
        say(ctx, dialer, `(${caller.init.label} is no longer there to connect)`);
        return finish({ DialCallStatus: 'completed', DialCallSid: first.callSid, DialCallDuration: '0', QueueSid: queue.sid, DialBridged: 'false' });
      }
      say(ctx, dialer, `(connected with ${caller.init.label})`);
      const end = await converse(ctx, dialer, caller, { transferable: true });
      taken.dequeue.ended.resolve(end);
      if (!dialer.isGone && verb.action !== undefined) say(ctx, dialer, `(the Dial's action runs on: DialCallStatus=completed, DialBridged=true, ${String(end.seconds)} s talked)`);
      return finish({ DialCallStatus: 'completed', DialCallSid: first.callSid, DialCallDuration: String(end.seconds), QueueSid: queue.sid, DialBridged: 'true' });
    }
    const left = deadline - ctx.clock.now();
    if (left <= 0) {
      say(ctx, dialer, `(nobody joined queue ${verb.queue})`);
      return finish({ DialCallStatus: 'no-answer', QueueSid: queue.sid, DialBridged: 'false' });
    }
    const waited = await dialer.race(Promise.race([queue.joined.promise, ctx.clock.sleep(left)]));
    if (waited === 'gone') return finish({ DialCallStatus: 'canceled', QueueSid: queue.sid, DialBridged: 'false' });
  }
}
