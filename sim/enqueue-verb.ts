import { resolveUrl, type Outcome } from './twiml-run.js';
import type { Party, Redirect } from './party.js';
import type { QueueMember, SimQueue } from './queue-registry.js';
import { say, type SimContext } from './sim-context.js';
import { requestIgnoringAnswer } from './status-callbacks.js';
import type { EnqueueVerb } from './twiml-document.js';
import { deferred } from './virtual-clock.js';

/**
 * <Enqueue> (https://www.twilio.com/docs/voice/twiml/enqueue): the caller joins
 * the queue (created on demand) and hears the waitUrl document, fetched with
 * QueuePosition, QueueSid, QueueTime, AvgQueueTime, CurrentQueueSize and
 * MaxQueueSize and fetched again each time it ends. The action URL gets
 * QueueResult, and QueueSid and QueueTime "only if the call was actually
 * enqueued"; its TwiML runs whenever the caller is still on the line, and
 * without an action the next verb runs.
 * QueueResult values, modelled from the page:
 * - bridged: dequeued by <Dial><Queue>; requested "when the bridged parties
 *   disconnect" — its TwiML runs if the dialer hung up first (conversation.ts);
 * - hangup: the caller hung up while waiting (or the wait document said <Hangup/>);
 * - leave: <Leave/> in the wait document;
 * - error: the wait document could not be fetched or run;
 * - queue-full: the queue already holds maxSize calls, so the call is not enqueued;
 * - redirected: a REST Call update with a Url while waiting: the action is
 *   requested "right away" and the call goes on with the new Url (the
 *   action's answer is not run: the call follows the redirect);
 * - redirected-from-bridged: the same update during a bridge out of the queue.
 * Injected (CallOptions.queueFault), as the page only names them:
 * - system-error: the call is never enqueued;
 * - bridging-in-process: the dequeue's bridge never completes.
 */
type QueueResult = 'bridged' | 'bridging-in-process' | 'error' | 'hangup' | 'leave' | 'redirected' | 'redirected-from-bridged' | 'queue-full' | 'system-error';

async function waitInQueue(ctx: SimContext, party: Party, verb: EnqueueVerb, queue: SimQueue, member: QueueMember, docUrl: string): Promise<Outcome> {
  const position = () => queue.members.indexOf(member) + 1;
  for (;;) {
    const started = ctx.clock.now();
    const outcome =
      verb.waitUrl === undefined
        ? await party.hold(Infinity) // Twilio's default classical playlist, for ever
        : await ctx.run(party, resolveUrl(verb.waitUrl, docUrl), verb.waitUrlMethod, {
            QueuePosition: String(position()),
            QueueSid: queue.sid,
            QueueTime: String(Math.floor(ctx.clock.now() - member.enqueuedAt)),
            AvgQueueTime: String(ctx.queues.averageWait(queue)),
            CurrentQueueSize: String(queue.members.length),
            MaxQueueSize: String(queue.maxSize),
          }, 'wait');
    if (member.dequeued.settled() || outcome !== 'ended') return outcome === 'done' ? 'ended' : outcome;
    // An empty wait document would be fetched in a tight loop: let a second pass first.
    if (ctx.clock.now() - started < 1) await party.hold(1);
  }
}

/** The dequeued side of a <Dial><Queue>: the <Queue url> document, then the conversation the dialer's side runs. */
async function bridge(ctx: SimContext, party: Party, member: QueueMember, queueSid: string): Promise<QueueResult> {
  const dequeue = await member.dequeued.promise;
  if (dequeue.url !== undefined && !party.isGone) {
    // The <Queue url> document plays to this (dequeued) caller just before the bridge.
    await ctx.run(party, dequeue.url, dequeue.urlMethod, {
      QueueSid: queueSid,
      QueueTime: String(Math.floor(ctx.clock.now() - member.enqueuedAt)),
      DequeingCallSid: dequeue.dequeuingCallSid,
    }, 'bridge');
  }
  if (party.init.queueFault === 'bridging-in-process' && !party.isGone) {
    say(ctx, party, '(injected fault: the bridge never completes)');
    dequeue.connected.resolve(false);
    return 'bridging-in-process';
  }
  const connected = !party.isGone;
  dequeue.connected.resolve(connected);
  if (!connected) return 'hangup';
  party.acceptsRedirect = true;
  const end = await dequeue.ended.promise;
  party.acceptsRedirect = false;
  return end.left === 'other-redirected' ? 'redirected-from-bridged' : 'bridged';
}

/** Joins the queue and waits there until dequeued (then bridged), redirected, or gone; QueueTime is the wait. */
async function queued(ctx: SimContext, party: Party, verb: EnqueueVerb, queue: SimQueue, docUrl: string): Promise<{ result: QueueResult; queueTime: number }> {
  const member: QueueMember = { party, callSid: party.sid, enqueuedAt: ctx.clock.now(), enqueuedDate: new Date(), dequeued: deferred() };
  ctx.queues.join(queue, member);
  party.acceptsRedirect = true;
  party.interrupt = Promise.race([member.dequeued.promise, party.redirected]).then(() => undefined);
  say(ctx, party, `(waits in queue ${verb.queue})`);
  const patience = party.init.hangUpAfterQueueSeconds;
  if (patience !== undefined) {
    void ctx.clock.sleep(patience).then(() => {
      if (member.dequeued.settled() || party.isGone) return;
      ctx.print({ call: party.init.label, who: party.init.role, text: '(hangs up while waiting)' });
      party.hangUp();
    });
  }
  const outcome = await waitInQueue(ctx, party, verb, queue, member, docUrl);
  party.interrupt = undefined;
  party.acceptsRedirect = false;
  const queueTime = Math.floor(ctx.clock.now() - member.enqueuedAt);
  if (member.dequeued.settled()) return { result: await bridge(ctx, party, member, queue.sid), queueTime };
  ctx.queues.remove(queue, member, ctx.clock.now() - member.enqueuedAt);
  if (outcome === 'interrupted' && !party.isGone) return { result: 'redirected', queueTime };
  if (outcome === 'hangup') party.hangUp(); // <Hangup/> in the wait document ends the call
  return { result: outcome === 'leave' ? 'leave' : outcome === 'wait-error' ? 'error' : 'hangup', queueTime };
}

export async function enqueue(ctx: SimContext, party: Party, verb: EnqueueVerb, docUrl: string): Promise<Outcome | 'next-verb'> {
  const queue = ctx.queues.open(verb.queue);
  let result: QueueResult;
  let queueTime: number | undefined;
  if (party.init.queueFault === 'system-error') {
    say(ctx, party, `(injected fault: queue ${verb.queue} fails to take the call)`);
    result = 'system-error';
  } else if (queue.members.length >= queue.maxSize) {
    say(ctx, party, `(queue ${verb.queue} is full: ${String(queue.maxSize)} calls)`);
    result = 'queue-full';
  } else {
    ({ result, queueTime } = await queued(ctx, party, verb, queue, docUrl));
  }
  party.queueResult = result;
  // QueueSid and QueueTime: "only available if the call was actually enqueued".
  const params: Record<string, string> = { QueueResult: result, ...(queueTime === undefined ? {} : { QueueSid: queue.sid, QueueTime: String(queueTime) }) };
  say(ctx, party, `(leaves queue ${verb.queue}: QueueResult=${result}${party.isGone ? '' : ', still on the line'})`);
  const redirect: Redirect | undefined = result === 'redirected' || result === 'redirected-from-bridged' ? await party.takeRedirect() : undefined;
  const action = verb.action === undefined ? undefined : resolveUrl(verb.action, docUrl);
  if (redirect !== undefined) {
    if (action !== undefined) await requestIgnoringAnswer(ctx, party.sid, action, verb.method, { ...party.params, ...params });
    say(ctx, party, `(redirected to ${redirect.url})`);
    return ctx.run(party, redirect.url, redirect.method, {}, 'call');
  }
  if (party.isGone) {
    if (action !== undefined) await requestIgnoringAnswer(ctx, party.sid, action, verb.method, { ...party.params, CallStatus: 'completed', ...params });
    return 'gone';
  }
  if (action === undefined) return 'next-verb';
  return ctx.run(party, action, verb.method, params, 'call');
}
