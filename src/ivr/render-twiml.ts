import type { Decision } from '../calls/decisions.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PlainPromptKey, PromptCatalogue } from './prompt-catalogue.js';
import { createHoursSpeech } from './speak-hours.js';
import { speakable } from './speakable.js';
import { twimlTemplate, type FillTemplate } from './twiml-template.js';
import { twimlResponse } from './twiml-response.js';

// Answers that say one prompt and hang up.
const FAREWELLS: Partial<Record<Decision['kind'], PlainPromptKey>> = {
  account_code_changed: 'accountCodeChanged',
  locked_out: 'lockedOut',
  too_many_attempts: 'tooManyAttempts',
  user_gone: 'userGone',
  voicemail_left: 'voicemailThanks',
  timed_out: 'timedOut',
  apology: 'apology',
};

/** Turns a decision into TwiML: pure, so every answer can be tested as exact XML. */
export function createTwimlRenderer(deps: {
  policy: Policy;
  catalogue: PromptCatalogue;
  baseUrl: string;
}) {
  const { policy, catalogue } = deps;
  const speech = createHoursSpeech(policy, catalogue);
  // Absolute, so Twilio signs exactly these URLs.
  const url = (path: string) => `${deps.baseUrl}/twilio/${path}`;
  const pinUrl = (attempt: number) => url(`pin?attempt=${String(attempt)}`);

  /** The hold document; its place in line may be a mark (a word) for a template to fill in. */
  function buildHold(hold: { position: number | string | null; pauseSeconds: number; music: boolean }): string {
    const { response, say } = twimlResponse(policy.voice);
    if (hold.position !== null) say(catalogue.prompt('queuePosition', { position: hold.position }));
    if (hold.music && policy.queue.holdMusicUrl !== undefined) {
      response.play(policy.queue.holdMusicUrl);
    } else {
      response.pause({ length: hold.pauseSeconds });
      say(catalogue.prompt('stillHolding'));
    }
    return response.toString();
  }

  function render(decision: Decision): string {
    const { response, voice, say, sayAndHangUp, gatherDigits } = twimlResponse(policy.voice);
    const farewell = FAREWELLS[decision.kind];
    if (farewell !== undefined) sayAndHangUp(catalogue.prompt(farewell));
    switch (decision.kind) {
      case 'ask_pin': {
        const prompt = decision.retry ? 'notRecognised' : decision.afterCode === true ? 'enterPinAfterCode' : 'enterPin';
        gatherDigits(pinUrl(decision.attempt)).say(voice, catalogue.prompt(prompt));
        break;
      }
      case 'ask_account_code': {
        // Answered at the PIN step: the call state knows that this attempt asked for the code.
        const prompt = decision.retry ? 'accountCodeRetry' : 'enterAccountCode';
        gatherDigits(pinUrl(decision.attempt)).say(voice, catalogue.prompt(prompt));
        break;
      }
      case 'line_closed':
        sayAndHangUp(catalogue.prompt('lineClosed', { schedule: speech.lineSchedule() }));
        break;
      case 'no_permission':
        sayAndHangUp(catalogue.prompt('noPermission', { name: decision.name }));
        break;
      case 'plan_without_phone':
        sayAndHangUp(catalogue.prompt('planWithoutPhone', { name: decision.name }));
        break;
      case 'plan_closed': {
        const opensAt = decision.opensAt === null ? '' : speech.opensAt(decision.opensAt, decision.decidedAt);
        const schedule = speech.tierSchedule(decision.tier);
        sayAndHangUp(catalogue.prompt('planClosed', { name: decision.name, schedule, opensAt }));
        break;
      }
      case 'enqueue':
        say(catalogue.prompt('connecting', { name: decision.name }));
        response.enqueue(
          { waitUrl: url('wait'), waitUrlMethod: 'POST', action: url('queue-result'), method: 'POST' },
          decision.queue,
        );
        break;
      case 'hold':
        return buildHold(decision);
      case 'leave_queue':
        response.leave();
        break;
      case 'offer_voicemail':
        // https://www.twilio.com/docs/voice/twiml/record: an empty recording requests no action and
        // the next verb runs, so the words after <Record> are what a caller who said nothing hears.
        say(catalogue.prompt('voicemailOffer'));
        response.record({
          action: url('voicemail'),
          method: 'POST',
          maxLength: decision.maxSeconds,
          finishOnKey: '#',
          playBeep: true,
          timeout: 5,
          recordingStatusCallback: url('recording'),
          recordingStatusCallbackMethod: 'POST',
        });
        sayAndHangUp(catalogue.prompt('voicemailNone'));
        break;
      case 'hang_up':
        response.hangup();
        break;
    }
    return response.toString();
  }

  // Most answers repeat exactly ("not recognised, try again"): building XML is the costly part.
  const rendered = new Map<string, string>();
  const RENDER_CACHE_SIZE = 500;
  // How often a prompt says a value (a translation may say it twice; a mark it holds itself is not counted).
  const count = (text: string, mark: string) => text.split(mark).length - 1;
  const said = (prompt: (value: string) => string, mark: string) => count(prompt(mark), mark) - count(prompt(''), mark);

  // A verified caller's answer differs from the next one's only in their name and queue.
  const marks = { name: 'CallgateNameMark', queue: 'CallgateQueueMark' };
  const namesSaid = said((name) => catalogue.prompt('connecting', { name }), marks.name);
  const fillEnqueue = twimlTemplate(render({ kind: 'enqueue', ...marks }), marks, { name: namesSaid, queue: 1 });

  // Twilio fetches the hold document each time it ends (420 a second with 10,000 waiting), each with
  // the caller's own place: one template per pause, music and whether the place is known, instead.
  const positionMark = { position: 'CallgatePositionMark' };
  const positionsSaid = said((position) => catalogue.prompt('queuePosition', { position }), positionMark.position);
  const holdTemplates = new Map<string, FillTemplate<'position'> | undefined>();
  const HOLD_TEMPLATES = 64;
  // The key prints each number as the document does (a JSON key would print NaN and Infinity alike).
  function holdTemplate(told: boolean, pauseSeconds: number, music: boolean): FillTemplate<'position'> | undefined {
    const key = `${String(told)} ${String(music)} ${String(pauseSeconds)}`;
    if (holdTemplates.has(key)) return holdTemplates.get(key);
    if (holdTemplates.size >= HOLD_TEMPLATES) holdTemplates.clear();
    const hold = buildHold({ position: told ? positionMark.position : null, pauseSeconds, music });
    // Undefined when the mark occurs elsewhere too (in the hold music's URL): such holds are built.
    const fill = twimlTemplate(hold, positionMark, { position: told ? positionsSaid : 0 });
    holdTemplates.set(key, fill);
    return fill;
  }

  function renderCached(decision: Decision): string {
    // The name is spoken as the prompt would speak it; an empty queue would be an empty element: built.
    if (decision.kind === 'enqueue' && fillEnqueue !== undefined && decision.queue !== '') {
      return fillEnqueue({ name: speakable(decision.name), queue: decision.queue });
    }
    if (decision.kind === 'hold') {
      const fill = holdTemplate(decision.position !== null, decision.pauseSeconds, decision.music);
      return fill === undefined ? buildHold(decision) : fill({ position: String(decision.position ?? '') });
    }
    // Answers carrying the call's own data never repeat: caching them would push out those that do.
    if (decision.kind === 'enqueue' || decision.kind === 'plan_closed') return render(decision);
    const key = JSON.stringify(decision);
    let twiml = rendered.get(key);
    if (twiml === undefined) {
      if (rendered.size >= RENDER_CACHE_SIZE) rendered.clear();
      twiml = render(decision);
      rendered.set(key, twiml);
    }
    return twiml;
  }

  /** `render` answers from a cache or a template where it can; `build` always builds the XML anew. */
  return { render: renderCached, build: render, apology: render({ kind: 'apology' }) };
}

export type TwimlRenderer = ReturnType<typeof createTwimlRenderer>;
