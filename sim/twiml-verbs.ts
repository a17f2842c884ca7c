/**
 * The TwiML verbs the simulator runs, with Twilio's defaults already applied.
 * Where each verb may appear is Twilio's rule, per place a document is fetched:
 * - call: the Voice URL and every document that continues a live call;
 * - wait: an <Enqueue> waitUrl (https://www.twilio.com/docs/voice/twiml/enqueue);
 * - bridge: a <Dial><Queue url> document, played to the dequeued caller
 *   (https://www.twilio.com/docs/voice/twiml/queue).
 */
export type TwimlContext = 'call' | 'wait' | 'bridge';

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

export interface RecordVerb {
  verb: 'Record';
  action: string | undefined;
  method: string;
  maxLength: number;
  finishOnKey: string;
  playBeep: boolean;
  timeout: number;
  recordingStatusCallback: string | undefined;
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
  | RecordVerb;

export const ALLOWED: Record<TwimlContext, ReadonlySet<string>> = {
  call: new Set(['Say', 'Play', 'Pause', 'Gather', 'Redirect', 'Hangup', 'Reject', 'Enqueue', 'Dial', 'Leave', 'Record']),
  wait: new Set(['Play', 'Say', 'Pause', 'Gather', 'Redirect', 'Leave', 'Hangup']),
  bridge: new Set(['Play', 'Say', 'Pause', 'Redirect']),
};

/** What <Gather> may nest (https://www.twilio.com/docs/voice/twiml/gather#nest-other-verbs). */
export const GATHER_NESTS: ReadonlySet<string> = new Set(['Say', 'Play', 'Pause']);
