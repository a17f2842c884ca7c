import type { Party } from './party.js';
import type { BridgeEnd } from './queue-registry.js';
import { say, type SimContext } from './sim-context.js';

/**
 * Two parties bridged by <Dial> talk "until one hangs up"
 * (https://www.twilio.com/docs/voice/twiml/dial); the other is still on the
 * line, and what it does next is the verb's: the dialer's <Dial action> runs
 * ("Twilio will continue the initial call after the dialed party hangs up"),
 * a dequeued caller's <Enqueue action> runs
 * (https://www.twilio.com/docs/voice/twiml/enqueue: the action is requested
 * "when the bridged parties disconnect"; and
 * https://www.twilio.com/docs/studio/widget-library/enqueue-call: control of
 * "the live call after dequeueing" comes back when it was dequeued by
 * <Dial><Queue>).
 * Who hangs up first: the party with the shorter `talkSeconds`, or one that
 * leaves another way first (hangUpAfterSeconds). Simulator's choice for equal
 * `talkSeconds`: both hang up at the same moment and neither leg goes on.
 * With `transferable`, the other party's call may also be redirected out of
 * the conversation by a REST Call update.
 */

type First = 'talked' | 'dialer' | 'other' | 'redirected';

function hangsUp(ctx: SimContext, party: Party): void {
  if (party.isGone) return;
  ctx.print({ call: party.init.label, who: party.init.role, text: '(hangs up)' });
  party.hangUp();
}

export async function converse(ctx: SimContext, dialer: Party, other: Party, options: { transferable?: boolean } = {}): Promise<BridgeEnd> {
  const started = ctx.clock.now();
  const contenders: Promise<First>[] = [
    ctx.clock.sleep(Math.min(dialer.init.talkSeconds, other.init.talkSeconds)).then(() => 'talked' as const),
    dialer.gone.then(() => 'dialer' as const),
    other.gone.then(() => 'other' as const),
  ];
  if (options.transferable === true) contenders.push(other.redirected.then(() => 'redirected' as const));
  const first = await Promise.race(contenders);
  const seconds = Math.round(ctx.clock.now() - started);
  if (first === 'redirected') {
    say(ctx, dialer, `(${other.init.label}'s call is redirected out of the conversation; ${dialer.init.label} stays on the line)`);
    return { left: 'other-redirected', seconds };
  }
  if (first === 'talked') {
    if (dialer.init.talkSeconds <= other.init.talkSeconds) hangsUp(ctx, dialer);
    if (other.init.talkSeconds <= dialer.init.talkSeconds) hangsUp(ctx, other);
  }
  const left = dialer.isGone && other.isGone ? 'both' : dialer.isGone ? 'dialer' : 'other';
  const summary =
    left === 'both'
      ? '(the conversation ends: both hang up at once)'
      : left === 'dialer'
        ? `(${dialer.init.label} hung up first; ${other.init.label} is still on the line)`
        : `(${other.init.label} hung up first; ${dialer.init.label} is still on the line)`;
  say(ctx, dialer, summary);
  say(ctx, other, summary);
  return { left, seconds };
}
