import type { Keypad } from './keypad.js';
import type { CallbackPlan, Recording } from './party.js';
import type { QueueRegistry } from './queue-registry.js';
import type { TwilioRestApi } from './twilio-rest-api.js';

export interface TranscriptLine {
  call: string;
  who: 'callgate' | 'caller' | 'sysadmin' | 'twilio';
  text: string;
}


export interface SimOptions {
  /** Where the service listens; several instances are used in turn, one request each. */
  serviceUrls: string[];
  /** The service's public base URL: URLs under it go to `serviceUrls`; other absolute URLs are fetched as they are. */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
  supportNumber: string;
  /** The number's Voice URL; default `{publicBaseUrl}/twilio/voice`. */
  voiceUrl?: string;
  /** The number's status callback; default `{publicBaseUrl}/twilio/status`. */
  statusCallbackUrl?: string;
  /** The number's Voice Fallback URL, requested (POST, ErrorCode, ErrorUrl) on a fatal error. Unset: fatal errors throw. */
  fallbackUrl?: string;
  /** The REST stand-in whose placed calls ring the simulated phones (one simulator per stand-in). */
  restApi?: TwilioRestApi;
  /** Virtual seconds per real second. */
  speed: number;
  print: (line: TranscriptLine) => void;
  /** How long each <Play> URL lasts, in seconds; others last `defaultMediaSeconds`. */
  mediaSeconds?: Record<string, number>;
  /** Length of media not in `mediaSeconds`; default 30 s (a typical hold-music track is longer still). */
  defaultMediaSeconds?: number;
  /** Virtual seconds <Say> takes per character; default 0.06 (about 150 words a minute). */
  saySecondsPerCharacter?: number;
  /** Ringing Twilio adds to a Calls.json Timeout and to a <Dial> timeout; default 5. */
  extraRingSeconds?: number;
  /** Every status callback arrives this many virtual seconds late; default 0. */
  statusCallbackDelaySeconds?: number;
  /** Real milliseconds Twilio waits for a webhook's answer (connection override `rt`); default 15000. */
  readTimeoutMs?: number;
}

export interface CallOptions {
  from: string;
  label: string;
  keypad: Keypad;
  /** Hangs up when a <Say> it hears matches (halfway through that prompt). */
  hangUpWhenHearing?: RegExp;
  /** Hangs up this many virtual seconds after the call was answered. */
  hangUpAfterSeconds?: number;
  /** Gives up waiting once this long in a queue. */
  hangUpAfterQueueSeconds?: number;
  /** Seconds the caller talks once bridged; default 30. */
  talkSeconds?: number;
  /** Twilio's STIR/SHAKEN attestation for the From number (e.g. 'TN-Validation-Passed-A'). */
  stirVerstat?: string;
  /** How this call's status callback is delivered. */
  statusCallback?: CallbackPlan;
  /**
   * The message the caller leaves at the first <Record> they reach (later ones hear silence).
   * `seconds` of speech (cut at the Record's maxLength), then it ends by: 'finish-key' (the caller
   * presses the first of the Record's finishOnKey keys), 'silence' (they stop talking and the
   * Record's `timeout` of silence ends it) or 'hangup' (they hang up; Digits=hangup).
   * Without it the caller says nothing at a <Record>.
   */
  leavesMessage?: { seconds: number; endsWith: 'finish-key' | 'silence' | 'hangup' };
  /** How this call's recording status callbacks (<Record recordingStatusCallback>) are delivered. */
  recordingStatusCallback?: CallbackPlan;
  /**
   * A fault injected into Twilio's queue for this call: QueueResults the Enqueue page only names
   * (https://www.twilio.com/docs/voice/twiml/enqueue), which no documented sequence of events produces.
   * 'system-error': "the Twilio system malfunctioned during the enqueue process": the call is never
   * enqueued and the action is requested at once (no QueueSid, no QueueTime).
   * 'bridging-in-process': the call is dequeued by a <Dial><Queue> but the bridge never completes: the
   * action is requested with it once the <Queue url> document has played, the caller's call goes on
   * with the action's TwiML, and the dialer's Dial ends with DialBridged=false.
   * (redirected-from-bridged needs no injection: redirect a call bridged out of a queue through the
   * REST stand-in's Call update.)
   */
  queueFault?: 'system-error' | 'bridging-in-process';
}


export interface CallResult {
  callSid: string;
  said: string[];
  /** What each <Record> on this call recorded (empty recordings are not kept). */
  recordings: Recording[];
  /** How the call ended for the caller. */
  ending: 'hangup' | 'ended' | 'bridged' | 'left-queue' | 'abandoned' | 'caller-hung-up';
}

/** A simulated phone that callgate pages through the REST stand-in, or that a <Dial><Number> rings. */
export type PhoneScript = {
  label: string;
  /** How it reacts when rung; default 'person'. */
  answers?: 'person' | 'voicemail' | 'fax' | 'no-answer' | 'busy' | 'failed' | 'canceled';
  /** A person (or a fax machine) answers after this much ringing; default 3 s. */
  ringSeconds?: number;
  /**
   * Seconds of speech on answering, as answering machine detection hears it: a person's default is 1
   * (a "Hello?"), a voicemail box's 8 (its greeting); 0 is a silent answer. A person who answers with
   * their name and team (e.g. 3 s) is longer than Twilio's 2.4 s speech threshold.
   */
  greetingSeconds?: number;
  /** What a person says on answering, for the transcript. */
  greeting?: string;
  /** How a voicemail box's greeting ends, for MachineDetection=DetectMessageEnd; default 'beep'. */
  greetingEndsWith?: 'beep' | 'silence' | 'other';
  /** A voicemail box answers after this much ringing; default 25 s. */
  voicemailAfterSeconds?: number;
  keypad?: Keypad;
  talkSeconds?: number;
  hangUpWhenHearing?: RegExp;
  hangUpAfterSeconds?: number;
  statusCallback?: CallbackPlan;
};

/** What a phone went through: its pages, and what its voicemail recorded. */
export interface PhoneLog {
  /** Everything said to the voicemail box while it recorded (no machine detection). */
  recorded: string[];
  /** Everything the phone heard, across pages and <Dial><Number> calls (the <Number url> document included). */
  heard: string[];
}

/** A fatal error, as Twilio's debugger would log it. */
export interface FatalError {
  callSid: string;
  url: string;
  code: number;
  message: string;
}

export type { QueueRegistry };

export type { CallbackPlan, Recording };

// 'wait-error': a wait document that failed (the <Enqueue> ends with QueueResult 'error').
export type Outcome = 'ended' | 'hangup' | 'gone' | 'leave' | 'interrupted' | 'wait-error';
