import type { PlacedCall } from './rest-calls.js';

/**
 * Answering machine detection on a call placed through Calls.json, as
 * https://www.twilio.com/docs/voice/answering-machine-detection and the
 * <Number> page's attribute reference (https://www.twilio.com/docs/voice/twiml/number#attributes-machine-detection)
 * describe it. Every AnsweredBy the page lists can come out:
 * - `human`: speech no longer than MachineDetectionSpeechThreshold (default
 *   2400 ms: "durations lower than this value will be interpreted as a human
 *   and longer than this value as a machine"), decided once
 *   MachineDetectionSpeechEndThreshold (default 1200 ms) of silence follows it;
 * - `machine_start` (MachineDetection=Enable): longer speech, decided as soon as
 *   it passes the threshold, whoever is speaking: a person who answers
 *   "Sam Jones, on-call ops, go ahead" in 3 s is a machine, as Twilio says;
 * - `machine_end_beep` / `machine_end_silence` / `machine_end_other`
 *   (DetectMessageEnd): longer speech, decided when the greeting ends — a
 *   voicemail box's by its beep (or as its PhoneScript says), a person's by the
 *   silence after it;
 * - `fax`: a fax machine's tone;
 * - `unknown`: a silent answer after MachineDetectionSilenceTimeout (default
 *   5000 ms: "initial silence after which an unknown AnsweredBy result will be
 *   returned"), or anything not decided within MachineDetectionTimeout
 *   (default 30 s: "before timing out and sending a voice request with
 *   AnsweredBy of unknown").
 * Simulator's choice: a fax tone is recognised 1.5 s after the answer.
 */
export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';

export interface MachineDetection {
  mode: 'Enable' | 'DetectMessageEnd';
  timeoutSeconds: number;
  speechThresholdMs: number;
  speechEndThresholdMs: number;
  silenceTimeoutMs: number;
  /** AsyncAmd=true: Url is requested at once, and the verdict goes to AsyncAmdStatusCallback. */
  async: boolean;
  asyncCallback: string | undefined;
  asyncCallbackMethod: string;
}

/** Who or what picked up, as detection hears it. */
export interface Answerer {
  kind: 'person' | 'voicemail' | 'fax';
  /** Seconds of speech on answering: a person's "Hello?", a voicemail box's greeting; 0 is a silent answer. */
  greetingSeconds: number;
  /** How a voicemail box's greeting ends (DetectMessageEnd); a person just stops talking. */
  greetingEndsWith: 'beep' | 'silence' | 'other';
}

export interface Verdict {
  answeredBy: AnsweredBy;
  /** Milliseconds from the answer to the verdict (MachineDetectionDuration). */
  afterMs: number;
}

const FAX_TONE_MS = 1500;

const END_RESULT = { beep: 'machine_end_beep', silence: 'machine_end_silence', other: 'machine_end_other' } as const;

export function detect(answerer: Answerer, amd: MachineDetection): Verdict {
  const speechMs = answerer.greetingSeconds * 1000;
  let verdict: Verdict;
  if (answerer.kind === 'fax') verdict = { answeredBy: 'fax', afterMs: FAX_TONE_MS };
  else if (speechMs <= 0) verdict = { answeredBy: 'unknown', afterMs: amd.silenceTimeoutMs };
  else if (speechMs <= amd.speechThresholdMs) verdict = { answeredBy: 'human', afterMs: speechMs + amd.speechEndThresholdMs };
  else if (amd.mode === 'Enable') verdict = { answeredBy: 'machine_start', afterMs: amd.speechThresholdMs };
  else {
    const ends = answerer.kind === 'voicemail' ? answerer.greetingEndsWith : 'silence';
    verdict = { answeredBy: END_RESULT[ends], afterMs: ends === 'beep' ? speechMs : speechMs + amd.speechEndThresholdMs };
  }
  const limitMs = amd.timeoutSeconds * 1000;
  return verdict.afterMs > limitMs ? { answeredBy: 'unknown', afterMs: limitMs } : verdict;
}

/** The detection a Calls.json request asked for; undefined without MachineDetection (no AnsweredBy is sent then). */
export function detectionOf(placed: PlacedCall): MachineDetection | undefined {
  if (placed.machineDetection !== 'Enable' && placed.machineDetection !== 'DetectMessageEnd') return undefined;
  return {
    mode: placed.machineDetection,
    timeoutSeconds: placed.machineDetectionTimeout,
    speechThresholdMs: placed.machineDetectionSpeechThreshold,
    speechEndThresholdMs: placed.machineDetectionSpeechEndThreshold,
    silenceTimeoutMs: placed.machineDetectionSilenceTimeout,
    async: placed.asyncAmd,
    asyncCallback: placed.asyncAmdStatusCallback,
    asyncCallbackMethod: placed.asyncAmdStatusCallbackMethod,
  };
}
