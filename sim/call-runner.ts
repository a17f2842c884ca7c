import { dialNumber } from './dial-number-verb.js';
import { dialQueue } from './dial-queue-verb.js';
import { enqueue } from './enqueue-verb.js';
import { gather } from './gather-verb.js';
import { record } from './record-verb.js';
import type { Party } from './party.js';
import { playAudio, resolveUrl, type Outcome } from './twiml-run.js';
import { say, type SimContext } from './sim-context.js';
import type { TwimlContext, Verb } from './twiml-document.js';
import { FatalWebhookError } from './webhook-client.js';

/**
 * Runs TwiML on one party as Twilio would: verb by verb, taking the time each
 * takes (a <Say> ~0.06 s a character, a <Play> its media's length, a <Pause>
 * its length), so a person can hang up in the middle of a prompt.
 */

/** Fetches a document and runs it; a fatal error sends the call to the Voice Fallback URL. */
export async function loadAndRun(ctx: SimContext, party: Party, url: string, method: string, extra: Record<string, string>, context: TwimlContext): Promise<Outcome> {
  let verbs: Verb[];
  let docUrl = url;
  try {
    verbs = await ctx.webhooks.twiml(url, method, { ...party.params, ...extra }, context);
  } catch (error) {
    if (!(error instanceof FatalWebhookError)) throw error;
    ctx.errors.push({ callSid: party.sid, url: error.url, code: error.code, message: error.message });
    say(ctx, party, `(fatal error ${String(error.code)} at ${error.url})`);
    // A wait document that fails takes the caller out of the queue, QueueResult 'error'
    // (https://www.twilio.com/docs/voice/twiml/enqueue); a <Queue url> one that fails is not modelled further.
    if (context === 'wait') return 'wait-error';
    // A <Number url> document Twilio cannot run (a verb the Number page does not allow, a failed fetch) has
    // no fallback: the simulator's choice is that the called leg is hung up, never bridged (the docs are silent).
    if (context === 'screen') return 'hangup';
    if (context !== 'call') return 'ended';
    if (ctx.fallbackUrl === undefined) throw error;
    try {
      docUrl = ctx.fallbackUrl;
      // The fallback gets the failed request's parameters plus ErrorCode and ErrorUrl.
      verbs = await ctx.webhooks.twiml(docUrl, 'POST', { ...party.params, ...extra, ErrorCode: String(error.code), ErrorUrl: error.url }, 'call');
    } catch (fallbackError) {
      if (!(fallbackError instanceof FatalWebhookError)) throw fallbackError;
      ctx.errors.push({ callSid: party.sid, url: fallbackError.url, code: fallbackError.code, message: fallbackError.message });
      say(ctx, party, '(Twilio: "We are sorry, an application error has occurred. Goodbye.")');
      return 'hangup';
    }
  }
  party.params.CallStatus = 'in-progress';
  return runDocument(ctx, party, verbs, context, docUrl);
}

export async function runDocument(ctx: SimContext, party: Party, verbs: Verb[], context: TwimlContext, docUrl: string): Promise<Outcome> {
  for (const verb of verbs) {
    if (party.isGone) return 'gone';
    switch (verb.verb) {
      case 'Say':
      case 'Play':
      case 'Pause': {
        const stopped = await playAudio(ctx, party, verb);
        if (stopped !== undefined) return stopped;
        break;
      }
      case 'Gather': {
        const next = await gather(ctx, party, verb, context, docUrl);
        if (next !== 'fall-through') return next;
        break;
      }
      case 'Redirect':
        return loadAndRun(ctx, party, resolveUrl(verb.url, docUrl), verb.method, {}, context);
      case 'Hangup':
      case 'Reject':
        return 'hangup';
      case 'Leave':
        if (context === 'wait') return 'leave';
        break; // outside a queue <Leave> has nothing to leave
      case 'Enqueue': {
        const next = await enqueue(ctx, party, verb, docUrl);
        if (next !== 'next-verb') return next;
        break;
      }
      case 'DialQueue': {
        const next = await dialQueue(ctx, party, verb, docUrl);
        if (next !== 'next-verb') return next;
        break;
      }
      case 'DialNumber': {
        const next = await dialNumber(ctx, party, verb, docUrl);
        if (next !== 'next-verb') return next;
        break;
      }
      case 'Record': {
        const next = await record(ctx, party, verb, context, docUrl);
        if (next !== 'next-verb') return next;
        break;
      }
    }
  }
  return 'ended';
}
