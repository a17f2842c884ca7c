import twilio from 'twilio';
import type { Decision } from '../calls/decisions.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PromptCatalogue } from './prompt-catalogue.js';
import type { HoursSpeech } from './speak-hours.js';
import { speakable } from './speakable.js';
import { twimlTemplate, type FillTemplate } from './twiml-template.js';

const { VoiceResponse } = twilio.twiml;

/** Where Twilio reaches each webhook; absolute, so Twilio signs exactly these URLs. */
export function webhookUrls(baseUrl: string) {
  return {
    voice: `${baseUrl}/twilio/voice`,
    pin: (attempt: number) => `${baseUrl}/twilio/pin?attempt=${String(attempt)}`,
    wait: `${baseUrl}/twilio/wait`,
    queueResult: `${baseUrl}/twilio/queue-result`,
    status: `${baseUrl}/twilio/status`,
    voicemail: `${baseUrl}/twilio/voicemail`,
    recording: `${baseUrl}/twilio/recording`,
  };
}

// Seconds Twilio waits for the next digit before submitting what was typed.
export const DIGIT_TIMEOUT_SECONDS = 8;

/** Turns a decision into TwiML: pure, so every answer can be tested as exact XML. */
export function createTwimlRenderer(deps: {
  policy: Policy;
  catalogue: PromptCatalogue;
  speech: HoursSpeech;
  baseUrl: string;
}) {
  const { policy, catalogue, speech } = deps;
  const urls = webhookUrls(deps.baseUrl);
  const voice = { voice: policy.voice.voice, language: policy.voice.language } as Parameters<
    InstanceType<typeof VoiceResponse>['say']
  >[0];

  /** The hold document; its place in line may be a mark (a word) for a template to fill in. */
  function buildHold(hold: { position: number | string | null; pauseSeconds: number; music: boolean }): string {
    const response = new VoiceResponse();
    if (hold.position !== null) response.say(voice, catalogue.prompt('queuePosition', { position: hold.position }));
    if (hold.music && policy.queue.holdMusicUrl !== undefined) {
      response.play(policy.queue.holdMusicUrl);
    } else {
      response.pause({ length: hold.pauseSeconds });
      response.say(voice, catalogue.prompt('stillHolding'));
    }
    return response.toString();
  }

  function render(decision: Decision): string {
    const response = new VoiceResponse();
    const say = (text: string) => response.say(voice, text);
    const sayAndHangUp = (text: string) => {
      say(text);
      response.hangup();
    };
    // Digits ended by # (as the prompts say) or by a pause: no numDigits, so the # after a PIN ends
    // this Gather instead of spilling into the next one. Silence (or a lone #) reaches the action
    // as Digits="", which costs no attempt.
    const gatherDigits = (action: string) =>
      response.gather({
        input: ['dtmf'],
        finishOnKey: '#',
        timeout: DIGIT_TIMEOUT_SECONDS,
        action,
        method: 'POST',
        actionOnEmptyResult: true,
      });
    switch (decision.kind) {
      case 'ask_pin': {
        const gather = gatherDigits(urls.pin(decision.attempt));
        const prompt = decision.retry ? 'notRecognised' : decision.afterCode === true ? 'enterPinAfterCode' : 'enterPin';
        gather.say(voice, catalogue.prompt(prompt));
        break;
      }
      case 'ask_account_code': {
        // Answered at the PIN step: the call state knows that this attempt asked for the code.
        const gather = gatherDigits(urls.pin(decision.attempt));
        gather.say(voice, catalogue.prompt(decision.retry ? 'accountCodeRetry' : 'enterAccountCode'));
        break;
      }
      case 'account_code_changed':
        sayAndHangUp(catalogue.prompt('accountCodeChanged'));
        break;
      case 'line_closed':
        sayAndHangUp(catalogue.prompt('lineClosed', { schedule: speech.lineSchedule() }));
        break;
      case 'locked_out':
        sayAndHangUp(catalogue.prompt('lockedOut'));
        break;
      case 'too_many_attempts':
        sayAndHangUp(catalogue.prompt('tooManyAttempts'));
        break;
      case 'user_gone':
        sayAndHangUp(catalogue.prompt('userGone'));
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
          { waitUrl: urls.wait, waitUrlMethod: 'POST', action: urls.queueResult, method: 'POST' },
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
          action: urls.voicemail,
          method: 'POST',
          maxLength: decision.maxSeconds,
          finishOnKey: '#',
          playBeep: true,
          timeout: 5,
          recordingStatusCallback: urls.recording,
          recordingStatusCallbackMethod: 'POST',
        });
        sayAndHangUp(catalogue.prompt('voicemailNone'));
        break;
      case 'voicemail_left':
        sayAndHangUp(catalogue.prompt('voicemailThanks'));
        break;
      case 'timed_out':
        sayAndHangUp(catalogue.prompt('timedOut'));
        break;
      case 'hang_up':
        response.hangup();
        break;
      case 'apology':
        sayAndHangUp(catalogue.prompt('apology'));
        break;
      case 'nothing':
        break;
    }
    return response.toString();
  }

  // Most answers repeat exactly ("not recognised, try again"): building XML is the costly part.
  const rendered = new Map<string, string>();
  const RENDER_CACHE_SIZE = 500;
  // A verified caller's answer differs from the next one's only in their name and queue.
  const marks = { name: 'CallgateNameMark', queue: 'CallgateQueueMark' };
  const count = (text: string, mark: string) => text.split(mark).length - 1;
  const namesInPrompt = count(catalogue.prompt('connecting', { name: marks.name }), marks.name) - count(catalogue.prompt('connecting', { name: '' }), marks.name);
  const fillEnqueue = twimlTemplate(render({ kind: 'enqueue', ...marks }), marks, { name: namesInPrompt, queue: 1 });

  // Every caller on hold is told their own place in line and Twilio fetches the hold document
  // again each time it ends (about 420 fetches a second with 10,000 waiting): keyed by the place,
  // the cache above would be pushed out by it and rebuilt nearly every time. One template per
  // pause, music and whether the place is known (a handful: the pause is the queue's, or what is
  // left of the wait), the place filled in. A number prints as the prompt prints it (digits, sign,
  // point, exponent, NaN or Infinity: nothing speakable() or the escaping changes).
  const positionMark = { position: 'CallgatePositionMark' };
  const positionsInPrompt =
    count(catalogue.prompt('queuePosition', { position: positionMark.position }), positionMark.position) -
    count(catalogue.prompt('queuePosition', { position: '' }), positionMark.position);
  const holdTemplates = new Map<string, FillTemplate<'position'> | undefined>();
  const HOLD_TEMPLATES = 64;
  // The key prints each number as the document does (a JSON key would print NaN and Infinity alike).
  function holdTemplate(told: boolean, pauseSeconds: number, music: boolean): FillTemplate<'position'> | undefined {
    const key = `${String(told)} ${String(music)} ${String(pauseSeconds)}`;
    const known = holdTemplates.get(key);
    if (known !== undefined || holdTemplates.has(key)) return known;
    if (holdTemplates.size >= HOLD_TEMPLATES) holdTemplates.clear();
    // Undefined when the mark occurs elsewhere too (in the hold music's URL): such holds are built.
    const fill = twimlTemplate(buildHold({ position: told ? positionMark.position : null, pauseSeconds, music }), positionMark, {
      position: told ? positionsInPrompt : 0,
    });
    holdTemplates.set(key, fill);
    return fill;
  }

  function renderCached(decision: Decision): string {
    // The name is spoken as the prompt would speak it; the queue is written as given (an empty
    // one, which never happens, would be an empty element: built, not filled in).
    if (decision.kind === 'enqueue' && fillEnqueue !== undefined && decision.queue !== '') {
      return fillEnqueue({ name: speakable(decision.name), queue: decision.queue });
    }
    if (decision.kind === 'hold') {
      const fill = holdTemplate(decision.position !== null, decision.pauseSeconds, decision.music);
      return fill === undefined ? buildHold(decision) : fill({ position: String(decision.position ?? '') });
    }
    // Answers carrying the call's own data (its queue, the moment decided) never repeat: caching
    // them would only push out the answers that do.
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
