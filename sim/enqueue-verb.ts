import { loadAndRun, resolveUrl, type Outcome } from './call-runner.js';
import type { Party } from './party.js';
import type { QueueMember } from './queue-registry.js';
import { say, type SimContext } from './sim-context.js';
import { requestIgnoringAnswer } from './status-callbacks.js';
import type { EnqueueVerb } from './twiml-document.js';
import { deferred } from './virtual-clock.js';

/**
 * <Enqueue> (https://www.twilio.com/docs/voice/twiml/enqueue): the caller joins
 * the queue (created on demand) and hears the waitUrl document, fetched with
 * QueuePosition, QueueSid, QueueTime, AvgQueueTime and CurrentQueueSize and
 * fetched again each time it ends. The action URL gets QueueResult, QueueSid
 * and QueueTime: right away after <Leave>, a hang-up or a wait document that failed ('error': the
 * call goes on with the action's TwiML), but after a bridge only once both parties have hung up,
 * and then its TwiML is not run.
 * Without an action the document goes on with the next verb.
 */
type QueueResult = 'bridged' | 'leave' | 'hangup' | 'error';

async function waitInQueue(ctx: SimContext, party: Party, verb: EnqueueVerb, member: QueueMember, docUrl: string): Promise<Outcome> {
  const queue = ctx.queues.open(verb.queue);
  const position = () => queue.members.indexOf(member) + 1;
  for (;;) {
    const started = ctx.clock.now();
    const outcome =
      verb.waitUrl === undefined
        ? await party.hold(Infinity) // Twilio's default classical playlist, for ever
        : await loadAndRun(ctx, party, resolveUrl(verb.waitUrl, docUrl), verb.waitUrlMethod, {
            QueuePosition: String(position()),
            QueueSid: queue.sid,
            QueueTime: String(Math.floor(ctx.clock.now() - member.enqueuedAt)),
            AvgQueueTime: String(ctx.queues.averageWait(queue)),
            CurrentQueueSize: String(queue.members.length),
          }, 'wait');
    if (member.dequeued.settled() || outcome !== 'ended') return outcome === 'done' ? 'ended' : outcome;
    // An empty wait document would be fetched in a tight loop: let a second pass first.
    if (ctx.clock.now() - started < 1) await party.hold(1);
  }
}

async function bridge(ctx: SimContext, party: Party, member: QueueMember, queueSid: string): Promise<QueueResult> {
  const dequeue = await member.dequeued.promise;
  if (dequeue.url !== undefined && !party.isGone) {
    // The <Queue url> document plays to this (dequeued) caller just before the bridge.
    await loadAndRun(ctx, party, dequeue.url, dequeue.urlMethod, {
      QueueSid: queueSid,
      QueueTime: String(Math.floor(ctx.clock.now() - member.enqueuedAt)),
      DequeingCallSid: dequeue.dequeuingCallSid,
    }, 'bridge');
  }
  const connected = !party.isGone;
  dequeue.connected.resolve(connected);
  if (!connected) return 'hangup';
  await dequeue.ended.promise;
  return 'bridged';
}

export async function enqueue(ctx: SimContext, party: Party, verb: EnqueueVerb, docUrl: string): Promise<Outcome | 'next-verb'> {
  const queue = ctx.queues.open(verb.queue);
  const member: QueueMember = { party, callSid: party.sid, enqueuedAt: ctx.clock.now(), enqueuedDate: new Date(), dequeued: deferred() };
  ctx.queues.join(queue, member);
  party.interrupt = member.dequeued.promise.then(() => undefined);
  say(ctx, party, `(waits in queue ${verb.queue})`);
  const patience = party.init.hangUpAfterQueueSeconds;
  if (patience !== undefined) {
    void ctx.clock.sleep(patience).then(() => {
      if (member.dequeued.settled() || party.isGone) return;
      ctx.print({ call: party.init.label, who: party.init.role, text: '(hangs up while waiting)' });
      party.hangUp();
    });
  }

  const outcome = await waitInQueue(ctx, party, verb, member, docUrl);
  party.interrupt = undefined;
  const queueTime = String(Math.floor(ctx.clock.now() - member.enqueuedAt));
  let result: QueueResult;
  if (member.dequeued.settled()) {
    result = await bridge(ctx, party, member, queue.sid);
  } else {
    ctx.queues.remove(queue, member, ctx.clock.now() - member.enqueuedAt);
    result = outcome === 'leave' ? 'leave' : outcome === 'wait-error' ? 'error' : 'hangup';
    if (outcome === 'hangup') party.hangUp(); // <Hangup/> in the wait document ends the call
  }
  party.queueResult = result;
  const goesOn = result === 'leave' || result === 'error';
  if (!goesOn) party.hangUp();
  const params = { QueueResult: result, QueueSid: queue.sid, QueueTime: queueTime };
  if (verb.action === undefined) return goesOn ? 'next-verb' : 'gone';
  const action = resolveUrl(verb.action, docUrl);
  if (!goesOn) {
    await requestIgnoringAnswer(ctx, party.sid, action, verb.method, { ...party.params, ...params });
    return 'gone';
  }
  return loadAndRun(ctx, party, action, verb.method, params, 'call');
}
