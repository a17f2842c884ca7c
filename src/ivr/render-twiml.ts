import twilio from 'twilio';
import type { Decision } from '../calls/decisions.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PromptCatalogue } from './prompt-catalogue.js';
import { speakBriefing } from './speak-briefing.js';
import type { HoursSpeech } from './speak-hours.js';

const { VoiceResponse } = twilio.twiml;

/** Where Twilio reaches each webhook; absolute, so Twilio signs exactly these URLs. */
export function webhookUrls(baseUrl: string) {
  return {
    voice: `${baseUrl}/twilio/voice`,
    pin: (attempt: number) => `${baseUrl}/twilio/pin?attempt=${String(attempt)}`,
    wait: `${baseUrl}/twilio/wait`,
    queueResult: `${baseUrl}/twilio/queue-result`,
    status: `${baseUrl}/twilio/status`,
    agent: (sysadminId: string) => `${baseUrl}/twilio/agent?sysadmin=${sysadminId}`,
    agentAnswer: (sysadminId: string, about: string) =>
      `${baseUrl}/twilio/agent-answer?sysadmin=${sysadminId}&about=${about}`,
    agentStatus: (sysadminId: string) => `${baseUrl}/twilio/agent-status?sysadmin=${sysadminId}`,
    bridge: (sysadminId: string) => `${baseUrl}/twilio/bridge?sysadmin=${sysadminId}`,
  };
}

/** Twilio queue names are at most 64 characters; tier names are at most 32. */
export const queueNameOf = (tier: string): string => `callgate-${tier}`;

// Seconds Twilio waits for the next digit before submitting what was typed.
const DIGIT_TIMEOUT_SECONDS = 8;

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

  function render(decision: Decision): string {
    const response = new VoiceResponse();
    const say = (text: string) => response.say(voice, text);
    const sayAndHangUp = (text: string) => {
      say(text);
      response.hangup();
    };
    // Digits, # to finish (or submitted after numDigits); silence still reaches the action, as Digits="".
    const gatherDigits = (numDigits: number, action: string) =>
      response.gather({
        input: ['dtmf'],
        finishOnKey: '#',
        numDigits,
        timeout: DIGIT_TIMEOUT_SECONDS,
        action,
        method: 'POST',
        actionOnEmptyResult: true,
      });
    switch (decision.kind) {
      case 'ask_pin': {
        const gather = gatherDigits(policy.pin.digits, urls.pin(decision.attempt));
        gather.say(voice, catalogue.prompt(decision.retry ? 'notRecognised' : 'enterPin'));
        break;
      }
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
          queueNameOf(decision.tier),
        );
        break;
      case 'hold':
        say(catalogue.prompt('queuePosition', { position: decision.position }));
        if (policy.queue.holdMusicUrl === undefined) {
          response.pause({ length: decision.pauseSeconds });
          say(catalogue.prompt('stillHolding'));
        } else {
          response.play(policy.queue.holdMusicUrl);
        }
        break;
      case 'leave_queue':
        response.leave();
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
      case 'agent_briefing': {
        const gather = gatherDigits(1, urls.agentAnswer(decision.sysadminId, decision.about));
        gather.say(voice, speakBriefing(decision.briefing, catalogue, policy));
        gather.say(voice, catalogue.prompt('agentPressOne'));
        break;
      }
      case 'agent_connect':
        if (decision.changedTo !== undefined) {
          say(catalogue.prompt('agentHeadChanged'));
          say(speakBriefing(decision.changedTo, catalogue, policy));
        }
        say(catalogue.prompt('agentConnecting'));
        // What the sysadmin hears about the caller is said above: the <Queue> url plays to the caller.
        response.dial().queue({ url: urls.bridge(decision.sysadminId), method: 'POST' }, queueNameOf(decision.tier));
        break;
      case 'agent_nobody_waiting':
        sayAndHangUp(catalogue.prompt('agentNobodyWaiting'));
        break;
      case 'agent_goodbye':
        sayAndHangUp(catalogue.prompt('agentGoodbye'));
        break;
      case 'caller_connected':
        say(catalogue.prompt('callerConnected'));
        break;
    }
    return response.toString();
  }

  // Most answers repeat exactly ("not recognised, try again"): building XML is the costly part.
  const rendered = new Map<string, string>();
  const RENDER_CACHE_SIZE = 500;
  function renderCached(decision: Decision): string {
    const key = JSON.stringify(decision);
    let twiml = rendered.get(key);
    if (twiml === undefined) {
      if (rendered.size >= RENDER_CACHE_SIZE) rendered.clear();
      twiml = render(decision);
      rendered.set(key, twiml);
    }
    return twiml;
  }

  return { render: renderCached, apology: render({ kind: 'apology' }) };
}

export type TwimlRenderer = ReturnType<typeof createTwimlRenderer>;
