import type { AgentDecision, PreviousCaller } from '../oncall/agent-decisions.js';
import { agentUrls } from '../oncall/agent-urls.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PhraseKey, PlainPromptKey, PromptCatalogue } from './prompt-catalogue.js';
import { speakBriefing, speakDuration } from './speak-briefing.js';
import { ownQueueName as ownQueue } from '../oncall/own-queue.js';
import type { CallbackRefusal } from '../oncall/callback-numbers.js';
import { speakPhoneNumber } from './speak-phone-number.js';
import { twimlResponse } from './twiml-response.js';

// Seconds a sysadmin's <Dial><Queue> waits on an empty queue (the caller just hung up): Twilio waits for the
// next to join or the timeout (twilio.com/docs/voice/twiml/queue); nobody else joins a caller's own queue.
const AGENT_DIAL_TIMEOUT_SECONDS = 5;

// A callback rings the customer for this long before the sysadmin hears they did not answer.
const CALLBACK_RING_SECONDS = 30;

// Why a missed caller cannot be called back, as the sysadmin hears it.
const REFUSAL_PHRASE = {
  withheld: 'refusedWithheld',
  not_a_number: 'refusedNotANumber',
  country_not_allowed: 'refusedCountry',
  special_rate: 'refusedSpecialRate',
} as const satisfies Record<CallbackRefusal, PhraseKey>;

const PREVIOUS: Record<PreviousCaller, PlainPromptKey> = { taken: 'agentCallerTaken', left: 'agentCallerLeft' };

// Answers that say one prompt and hang up.
const FAREWELLS: Partial<Record<AgentDecision['kind'], PlainPromptKey>> = {
  agent_pin_refused: 'agentPinRefused',
  agent_calling_you_back: 'agentCallingYouBack',
  agent_pin_locked: 'agentPinLocked',
  agent_goodbye: 'agentGoodbye',
  agent_line_trouble: 'agentLineTrouble',
  agent_call_over: 'agentCallOver',
};

/** Turns the sysadmin side's decisions into TwiML: pure, tested as exact XML. */
export function createAgentTwimlRenderer(deps: { policy: Policy; catalogue: PromptCatalogue; baseUrl: string; supportNumber: string }) {
  const { policy, catalogue } = deps;
  const urls = agentUrls(deps.baseUrl);

  return function render(decision: AgentDecision): string {
    const { response, voice, say, sayAndHangUp, gatherDigits, gatherOneKey } = twimlResponse(policy.voice);
    const farewell = FAREWELLS[decision.kind];
    if (farewell !== undefined) sayAndHangUp(catalogue.prompt(farewell));
    switch (decision.kind) {
      case 'agent_page_greeting':
        gatherOneKey(urls.hear(decision.sysadminId, decision.caller)).say(voice, catalogue.prompt('agentPageGreeting'));
        break;
      case 'agent_ask_pin':
        // On-call PINs vary in length, so # (or the timeout) submits, as the prompt says.
        gatherDigits(urls.onCallPin(decision.sysadminId, decision.attempt))
          .say(voice, catalogue.prompt(decision.retry ? 'agentPinRetry' : 'agentEnterPin'));
        break;
      case 'agent_briefing': {
        const gather = gatherOneKey(urls.take(decision.sysadminId, decision.about));
        if (decision.previous !== undefined) gather.say(voice, catalogue.prompt(PREVIOUS[decision.previous]));
        gather.say(voice, speakBriefing(decision.briefing, catalogue, policy));
        gather.say(voice, catalogue.prompt('agentPressOne'));
        break;
      }
      case 'agent_connect':
        // Said before the <Dial>: the <Queue> url plays to the caller, not to the sysadmin.
        say(catalogue.prompt('agentConnecting', { caller: decision.userName }));
        response
          .dial({ timeout: AGENT_DIAL_TIMEOUT_SECONDS, action: urls.dialed(decision.sysadminId, decision.about), method: 'POST' })
          .queue({ url: urls.bridge(decision.sysadminId, decision.about), method: 'POST' }, ownQueue(decision.about));
        break;
      case 'agent_nobody_waiting':
        if (decision.previous !== undefined) say(catalogue.prompt(PREVIOUS[decision.previous]));
        sayAndHangUp(catalogue.prompt('agentNobodyWaiting'));
        break;
      case 'caller_connected':
        say(catalogue.prompt('callerConnected'));
        break;
      case 'agent_missed': {
        const { missed } = decision;
        const gather = gatherOneKey(urls.missed(decision.sysadminId, decision.index, missed.callSid));
        if (decision.notice === 'no_answer') gather.say(voice, catalogue.prompt('agentCallbackFailed'));
        if (decision.index === 0 && !decision.play) {
          gather.say(voice, catalogue.prompt('agentMissedCallers', { count: decision.count }));
          if (decision.heldBack > 0) gather.say(voice, catalogue.prompt('agentMissedHeldBack', { count: decision.heldBack }));
        }
        gather.say(
          voice,
          catalogue.prompt('agentMissedCaller', {
            account: missed.accountName,
            caller: missed.userName,
            ago: speakDuration(missed.agoSeconds, catalogue),
            message: catalogue.phrase(missed.recordingUrl === null ? 'noMessage' : 'leftMessage'),
          }),
        );
        // The number is heard before 1 can dial it; one the line will not dial is said to be so, and why.
        const { callBack } = missed;
        gather.say(
          voice,
          callBack.kind === 'callable'
            ? catalogue.prompt('agentMissedNumber', { number: speakPhoneNumber(callBack.groups, catalogue) })
            : catalogue.prompt('agentMissedCannotCallBack', { reason: catalogue.phrase(REFUSAL_PHRASE[callBack.reason]) }),
        );
        if (decision.play && missed.recordingUrl !== null) gather.play(missed.recordingUrl);
        gather.say(voice, catalogue.prompt(callBack.kind === 'callable' ? 'agentMissedChoices' : 'agentMissedChoicesNoCallBack'));
        break;
      }
      case 'agent_call_back':
        say(catalogue.prompt('agentCallingBack', { caller: decision.userName }));
        // From the support number, so the customer sees the line they called; the whisper tells them why.
        response
          .dial({ callerId: deps.supportNumber, timeout: CALLBACK_RING_SECONDS, action: urls.callbackDialed(decision.sysadminId, decision.about), method: 'POST' })
          .number({ url: urls.callbackWhisper(decision.about), method: 'POST' }, decision.number);
        break;
      case 'callback_whisper':
        // A person presses 1; a voicemail box that answered does not, and its empty answer is hung up
        // on (https://www.twilio.com/docs/voice/twiml/number: the url may decline with <Gather> and <Hangup>).
        gatherOneKey(urls.callbackAnswer(decision.about)).say(voice, catalogue.prompt('callbackWhisper'));
        break;
      case 'callback_declined':
        response.hangup();
        break;
    }
    return response.toString();
  };
}

export type AgentTwimlRenderer = ReturnType<typeof createAgentTwimlRenderer>;
