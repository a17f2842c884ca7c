/**
 * The TwiML verbs the simulator runs, with Twilio's defaults already applied.
 * Where each verb may appear is Twilio's rule, per place a document is fetched:
 * - call: the Voice URL and every document that continues a live call;
 * - wait: an <Enqueue> waitUrl (https://www.twilio.com/docs/voice/twiml/enqueue);
 * - bridge: a <Dial><Queue url> document, played to the dequeued caller
 *   (https://www.twilio.com/docs/voice/twiml/queue);
 * - screen: a <Dial><Number url> document, run on the called party after
 *   they answer and before the two are connected
 *   (https://www.twilio.com/docs/voice/twiml/number#attributes-url: "privately
 *   <Play> or <Say> information to the called party … decline the phone call
 *   using <Gather> and <Hangup>. The url attribute does not support any other
 *   TwiML verbs"). The documents its <Gather> action returns run there too.
 */
export type TwimlContext = 'call' | 'wait' | 'bridge' | 'screen';

export interface GatherVerb {
  verb: 'Gather';
  action: string | undefined;
  method: string;
  finishOnKey: string;
  numDigits: number | undefined;
  timeout: number;
  actionOnEmptyResult: boolean;
  prompts: Verb[];
}

export interface EnqueueVerb {
  verb: 'Enqueue';
  queue: string;
  waitUrl: string | undefined;
  waitUrlMethod: string;
  action: string | undefined;
  method: string;
}

export interface DialQueueVerb {
  verb: 'DialQueue';
  queue: string;
  /** Seconds Dial waits for someone to join an empty queue (Twilio's default 30). */
  timeout: number;
  action: string | undefined;
  method: string;
  url: string | undefined;
  urlMethod: string;
}

export interface DialNumberVerb {
  verb: 'DialNumber';
  /** The E.164 number dialled. */
  number: string;
  /** The From the called party sees; Twilio's default is the caller's own number. */
  callerId: string | undefined;
  /** Seconds to ring before no-answer (Twilio's default 30; Twilio may add ~5 s). */
  timeout: number;
  action: string | undefined;
  method: string;
  /** <Number url>: run on the called party once they answer, before the bridge. */
  url: string | undefined;
  urlMethod: string;
}

export interface RecordVerb {
  verb: 'Record';
  action: string | undefined;
  method: string;
  maxLength: number;
  finishOnKey: string;
  playBeep: boolean;
  timeout: number;
  /** 'trim-silence' (Twilio's default) drops the trailing silence that ended the recording. */
  trim: 'trim-silence' | 'do-not-trim';
  recordingStatusCallback: string | undefined;
  recordingStatusCallbackMethod: string;
  /** Which of in-progress, completed, absent reach the callback (Twilio's default: completed). */
  recordingStatusCallbackEvent: string[];
}

export type Verb =
  | { verb: 'Say'; text: string }
  | { verb: 'Play'; url: string; loop: number }
  | { verb: 'Pause'; length: number }
  | GatherVerb
  | { verb: 'Redirect'; url: string; method: string }
  | { verb: 'Hangup' }
  | { verb: 'Reject' }
  | { verb: 'Leave' }
  | EnqueueVerb
  | DialQueueVerb
  | DialNumberVerb
  | RecordVerb;

export const ALLOWED: Record<TwimlContext, ReadonlySet<string>> = {
  call: new Set(['Say', 'Play', 'Pause', 'Gather', 'Redirect', 'Hangup', 'Reject', 'Enqueue', 'Dial', 'Leave', 'Record']),
  wait: new Set(['Play', 'Say', 'Pause', 'Gather', 'Redirect', 'Leave', 'Hangup']),
  bridge: new Set(['Play', 'Say', 'Pause', 'Redirect']),
  // The Number page names four verbs and "does not support any other": no <Pause>, <Redirect> or <Dial>
  // (a <Gather> may still nest <Pause>, as the Gather page allows).
  screen: new Set(['Play', 'Say', 'Gather', 'Hangup']),
};

/** What <Gather> may nest (https://www.twilio.com/docs/voice/twiml/gather#nest-other-verbs). */
export const GATHER_NESTS: ReadonlySet<string> = new Set(['Say', 'Play', 'Pause']);
