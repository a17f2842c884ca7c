import { playAudio, resolveUrl, type Outcome } from './twiml-run.js';
import { HANG_UP, readKeys } from './keypad.js';
import type { Party } from './party.js';
import type { SimContext } from './sim-context.js';
import type { GatherVerb, TwimlContext } from './twiml-document.js';

/**
 * <Gather> (https://www.twilio.com/docs/voice/twiml/gather): plays its nested
 * prompts, then takes keys until numDigits, the finish key, or `timeout`
 * seconds of silence. Keys typed after the Gather ended (a '#' after a full
 * PIN) are stray: a phone sends them anyway, and the simulator's choice is
 * that they reach the next Gather if it starts within `strayKeySeconds`
 * (its prompt is interrupted and the key counts as typed there); otherwise
 * they fell on nothing and are lost.
 */
export async function gather(ctx: SimContext, party: Party, verb: GatherVerb, context: TwimlContext, docUrl: string): Promise<Outcome | 'fall-through'> {
  const fresh = party.strayKeys !== '' && ctx.clock.now() - party.strayKeysAt <= ctx.strayKeySeconds;
  let typed: string | null;
  if (fresh) {
    typed = party.strayKeys;
  } else {
    for (const prompt of verb.prompts) {
      const stopped = await playAudio(ctx, party, prompt);
      if (stopped !== undefined) return stopped;
    }
    const pressed = await party.race(party.init.keypad.press(verb));
    if (pressed === 'gone' || pressed === 'interrupted') return pressed;
    typed = pressed;
  }
  party.strayKeys = '';
  if (typed === HANG_UP) {
    ctx.print({ call: party.init.label, who: party.init.role, text: '(hangs up)' });
    party.hangUp();
    return 'gone';
  }
  const keys = typed === null ? { digits: '', endedBy: 'timeout' as const, stray: '' } : readKeys(typed, verb);
  ctx.print({ call: party.init.label, who: party.init.role, text: typed === null ? '(says nothing)' : `presses ${typed}` });
  if (keys.endedBy === 'timeout') {
    const held = await party.hold(verb.timeout);
    if (held !== 'done') return held;
  }
  if (keys.stray !== '') {
    party.strayKeys = keys.stray;
    party.strayKeysAt = ctx.clock.now();
  }
  if (keys.digits === '' && !verb.actionOnEmptyResult) return 'fall-through';
  // Without an action Twilio posts to the current document's URL.
  const action = verb.action === undefined ? docUrl : resolveUrl(verb.action, docUrl);
  return ctx.run(party, action, verb.method, { Digits: keys.digits }, context);
}
