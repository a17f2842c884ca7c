import twilio from 'twilio';
import type { Policy } from '../policy/policy-schema.js';

const { VoiceResponse } = twilio.twiml;

// Seconds Twilio waits for the next digit before submitting what was typed.
export const DIGIT_TIMEOUT_SECONDS = 8;

/** A <Response> spoken in the policy's voice, with the verbs both sides of the line use. */
export function twimlResponse(policyVoice: Policy['voice']) {
  const response = new VoiceResponse();
  const voice = { voice: policyVoice.voice, language: policyVoice.language } as Parameters<typeof response.say>[0];
  const say = (text: string) => response.say(voice, text);
  // Silence (or a lone #) reaches the action too, as Digits="", which declines or costs no attempt.
  const gather = (action: string, ends: { finishOnKey: '#' } | { numDigits: 1 }) =>
    response.gather({ input: ['dtmf'], ...ends, timeout: DIGIT_TIMEOUT_SECONDS, action, method: 'POST',
      actionOnEmptyResult: true });
  return {
    response,
    voice,
    say,
    sayAndHangUp: (text: string) => {
      say(text);
      response.hangup();
    },
    // Digits ended by # or a pause: no numDigits, so the # after a PIN ends this Gather, not the next.
    gatherDigits: (action: string) => gather(action, { finishOnKey: '#' }),
    gatherOneKey: (action: string) => gather(action, { numDigits: 1 }),
  };
}
