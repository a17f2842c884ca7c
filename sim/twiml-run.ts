import type { Held, Party } from './party.js';
import type { SimContext } from './sim-context.js';
import type { Outcome } from './sim-types.js';
import type { Verb } from './twiml-document.js';

/**
 * What running TwiML comes to, and the verbs that only take time: shared by the document
 * runner (call-runner.ts) and the verbs that fetch further documents through `ctx.run`.
 */
export type { Outcome };

export const resolveUrl = (url: string, base: string): string => new URL(url, base).toString();

const unlessDone = (held: Held): Outcome | undefined => (held === 'done' ? undefined : held);

/** What a party hears of one <Say>; a party waiting for a phrase hangs up halfway through it. */
async function hearSay(ctx: SimContext, party: Party, text: string): Promise<Outcome | undefined> {
  party.hear(text);
  ctx.print({ call: party.init.label, who: 'callgate', text });
  const seconds = text.length * ctx.saySecondsPerCharacter;
  if (party.init.hangUpWhenHearing?.test(text) === true) {
    await party.hold(seconds / 2);
    ctx.print({ call: party.init.label, who: party.init.role, text: '(hangs up)' });
    party.hangUp();
    return 'gone';
  }
  return unlessDone(await party.hold(seconds));
}

/** Say, Play and Pause: the verbs that only take time. */
export async function playAudio(ctx: SimContext, party: Party, verb: Verb): Promise<Outcome | undefined> {
  if (verb.verb === 'Say') return hearSay(ctx, party, verb.text);
  if (verb.verb === 'Pause') return unlessDone(await party.hold(verb.length));
  if (verb.verb !== 'Play') return undefined;
  ctx.print({ call: party.init.label, who: 'twilio', text: `(plays ${verb.url})` });
  const seconds = ctx.mediaSeconds[verb.url] ?? ctx.defaultMediaSeconds;
  // loop="0" repeats until something else happens (Twilio's <Play> reference).
  return unlessDone(await party.hold(verb.loop === 0 ? Infinity : seconds * verb.loop));
}

