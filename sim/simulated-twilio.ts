import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { parseTwiml, type TwimlContext, type Verb } from './twiml-document.js';
import type { PlacedCall, TwilioRestApi } from './twilio-rest-api.js';

/**
 * The part of Twilio that callgate uses, on this machine: it places calls by
 * posting signed webhooks, runs the TwiML it gets back as Twilio would, holds
 * callers in queues, rings simulated sysadmin phones when callgate pages them
 * through the REST stand-in, and bridges the two. Time runs on a virtual clock
 * `speed` times faster than real time, so a ten-minute wait takes seconds.
 */

export interface TranscriptLine {
  call: string;
  who: 'callgate' | 'caller' | 'sysadmin' | 'twilio';
  text: string;
}

/** Where the digits of each <Gather> come from: a script, or a keyboard. */
export interface Keypad {
  /** The digits typed (with the finish key already stripped), or null for silence until the timeout. */
  press(gather: { numDigits: number | undefined; finishOnKey: string; timeout: number }): Promise<string | null>;
}

/** A keypad that types one entry per <Gather>; null (or running out) is silence. */
export function scriptedKeypad(entries: (string | null)[]): Keypad {
  const queue = [...entries];
  return { press: () => Promise.resolve(queue.shift() ?? null) };
}

export interface SimOptions {
  /** Where callgate listens; several instances are used in turn, one request each. */
  serviceUrls: string[];
  /** callgate's PUBLIC_BASE_URL: the URLs in TwiML and the URL every signature covers. */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
  supportNumber: string;
  /** The REST stand-in whose placed calls ring the simulated phones (one simulator per stand-in). */
  restApi?: TwilioRestApi;
  /** Virtual seconds per real second. */
  speed: number;
  print: (line: TranscriptLine) => void;
}

export interface CallResult {
  callSid: string;
  said: string[];
  /** How the call ended for the caller: what the last document did. */
  ending: 'hangup' | 'ended' | 'bridged' | 'left-queue' | 'abandoned';
}

interface Session {
  sid: string;
  label: string;
  role: 'caller' | 'sysadmin';
  params: Record<string, string>;
  keypad: Keypad;
  said: string[];
  startedAt: number;
  /** The caller gives up waiting in the queue after this many seconds. */
  hangUpAfterQueueSeconds?: number;
  /** Resolves when a sysadmin takes this caller out of the queue. */
  dequeued?: Promise<'dequeued'>;
}

interface QueueEntry {
  session: Session;
  enqueuedAt: number;
  bridge: () => void;
  bridged: Promise<void>;
  talkOver: () => void;
  talkEnded: Promise<void>;
}

type Outcome = 'ended' | 'hangup' | 'leave' | 'dequeued' | 'bridged' | 'left-queue' | 'abandoned';

const newSid = (): string => `CA${randomBytes(16).toString('hex')}`;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export function createSimulatedTwilio(options: SimOptions) {
  const { publicBaseUrl, authToken, print } = options;
  const started = Date.now();
  const now = (): number => ((Date.now() - started) * options.speed) / 1000;
  const queues = new Map<string, QueueEntry[]>();
  const phones = new Map<string, { label: string; keypad: Keypad; talkSeconds: number }>();
  const pagesInFlight = new Set<Promise<void>>();
  let turn = 0;

  const sleep = (virtualSeconds: number) =>
    new Promise<void>((resolve) => setTimeout(resolve, (virtualSeconds * 1000) / options.speed));

  async function post(url: string, params: Record<string, string>): Promise<Response> {
    if (!url.startsWith(publicBaseUrl)) throw new Error(`TwiML points outside callgate: ${url}`);
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    const service = options.serviceUrls[turn++ % options.serviceUrls.length] ?? '';
    const res = await fetch(`${service}${url.slice(publicBaseUrl.length)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      body: new URLSearchParams(params),
    });
    if (res.status !== 200) throw new Error(`callgate answered ${String(res.status)} to ${url}: Twilio would say "an application error has occurred"`);
    return res;
  }

  async function fetchTwiml(session: Session, url: string, extra: Record<string, string>, context: TwimlContext) {
    const res = await post(url, { ...session.params, ...extra });
    return parseTwiml(await res.text(), res.headers.get('content-type') ?? undefined, context);
  }

  const queueOf = (name: string): QueueEntry[] => {
    let queue = queues.get(name);
    if (queue === undefined) queues.set(name, (queue = []));
    return queue;
  };

  /** Runs one document; interrupts a wait document when the caller is taken out of the queue. */
  async function run(session: Session, verbs: Verb[], context: TwimlContext, url: string): Promise<Outcome> {
    const pause = async (seconds: number): Promise<Outcome | undefined> => {
      const result = await Promise.race([sleep(seconds).then(() => undefined), session.dequeued ?? new Promise<never>(() => undefined)]);
      return context === 'wait' ? result : undefined;
    };
    for (const verb of verbs) {
      switch (verb.verb) {
        case 'Say':
          session.said.push(verb.text);
          print({ call: session.label, who: 'callgate', text: verb.text });
          break;
        case 'Play':
          print({ call: session.label, who: 'twilio', text: `(plays ${verb.url})` });
          if ((await pause(10)) === 'dequeued') return 'dequeued';
          break;
        case 'Pause':
          if ((await pause(verb.length)) === 'dequeued') return 'dequeued';
          break;
        case 'Gather': {
          const interrupted = await run(session, verb.prompts, context, url);
          if (interrupted === 'dequeued') return interrupted;
          const digits = await session.keypad.press(verb);
          const finished = digits !== null && verb.numDigits !== undefined && digits.length >= verb.numDigits;
          print({ call: session.label, who: session.role, text: digits === null ? '(says nothing)' : `presses ${digits}${finished ? '' : verb.finishOnKey}` });
          if (digits === null && !verb.actionOnEmptyResult) break; // falls through to the next verb
          return run(session, await fetchTwiml(session, verb.action ?? url, { Digits: digits ?? '' }, context), context, verb.action ?? url);
        }
        case 'Redirect':
          return run(session, await fetchTwiml(session, verb.url, {}, context), context, verb.url);
        case 'Hangup':
        case 'Reject':
          return 'hangup';
        case 'Leave':
          return 'leave';
        case 'Enqueue':
          return enqueue(session, verb);
        case 'DialQueue':
          await dialQueue(session, verb);
          break;
      }
    }
    return 'ended';
  }

  async function enqueue(session: Session, verb: Extract<Verb, { verb: 'Enqueue' }>): Promise<Outcome> {
    const bridged = deferred();
    const talk = deferred();
    const entry: QueueEntry = { session, enqueuedAt: now(), bridge: bridged.resolve, bridged: bridged.promise, talkOver: talk.resolve, talkEnded: talk.promise };
    const queue = queueOf(verb.queue);
    queue.push(entry);
    session.dequeued = bridged.promise.then(() => 'dequeued' as const);
    print({ call: session.label, who: 'twilio', text: `(waits in queue ${verb.queue})` });
    const queueTime = () => String(Math.floor(now() - entry.enqueuedAt));
    const leave = () => queue.splice(queue.indexOf(entry), 1);

    let result: 'bridged' | 'leave' | 'hangup' = 'hangup';
    for (;;) {
      if (now() - entry.enqueuedAt >= (session.hangUpAfterQueueSeconds ?? Infinity)) {
        leave();
        print({ call: session.label, who: 'caller', text: '(hangs up while waiting)' });
        break;
      }
      const outcome = verb.waitUrl === undefined
        ? await Promise.race([sleep(10).then(() => 'ended' as const), session.dequeued])
        : await run(
            session,
            await fetchTwiml(session, verb.waitUrl, {
              QueuePosition: String(queue.indexOf(entry) + 1),
              QueueTime: queueTime(),
              AvgQueueTime: '0',
              CurrentQueueSize: String(queue.length),
            }, 'wait'),
            'wait',
            verb.waitUrl,
          );
      if (outcome === 'dequeued') {
        result = 'bridged';
        await entry.talkEnded;
        break;
      }
      if (outcome === 'leave' || outcome === 'hangup') {
        leave();
        result = outcome;
        break;
      }
    }
    delete session.dequeued;
    if (verb.action === undefined) return result === 'leave' ? 'left-queue' : result === 'bridged' ? 'bridged' : 'abandoned';
    const doc = await fetchTwiml(session, verb.action, { QueueResult: result, QueueTime: queueTime() }, 'call');
    // After a bridge or a hang-up the caller is gone: Twilio runs nothing more for them.
    if (result === 'bridged') return 'bridged';
    if (result === 'hangup') return 'abandoned';
    const after = await run(session, doc, 'call', verb.action);
    return after === 'ended' || after === 'hangup' ? 'left-queue' : after;
  }

  async function dialQueue(agent: Session, verb: Extract<Verb, { verb: 'DialQueue' }>): Promise<void> {
    const entry = queueOf(verb.queue).shift();
    if (entry === undefined) {
      print({ call: agent.label, who: 'twilio', text: `(queue ${verb.queue} is empty)` });
      return;
    }
    if (verb.url !== undefined) {
      // The <Queue> url plays to the queued caller, just before the bridge.
      await run(entry.session, await fetchTwiml(entry.session, verb.url, { QueueSid: 'QU0', QueueTime: String(Math.floor(now() - entry.enqueuedAt)) }, 'bridge'), 'bridge', verb.url);
    }
    entry.bridge();
    print({ call: agent.label, who: 'twilio', text: `(connected with ${entry.session.label})` });
    await sleep(phones.get(agent.params.To ?? '')?.talkSeconds ?? 30);
    print({ call: agent.label, who: 'twilio', text: '(the conversation ends; both hang up)' });
    entry.talkOver();
  }

  async function finish(session: Session, statusCallback: string, status = 'completed'): Promise<void> {
    await post(statusCallback, { ...session.params, CallStatus: status, CallDuration: String(Math.round(now() - session.startedAt)) });
  }

  /** callgate paged someone through the REST stand-in: ring that phone. */
  async function ring(placed: PlacedCall): Promise<void> {
    const phone = phones.get(placed.to);
    const session: Session = {
      sid: placed.sid,
      label: phone?.label ?? placed.to,
      role: 'sysadmin',
      params: { CallSid: placed.sid, AccountSid: placed.accountSid, From: placed.from, To: placed.to, Direction: 'outbound-api', ApiVersion: '2010-04-01' },
      keypad: phone?.keypad ?? scriptedKeypad([]),
      said: [],
      startedAt: now(),
    };
    print({ call: session.label, who: 'twilio', text: `(callgate pages ${session.label} at ${placed.to})` });
    if (phone === undefined) {
      await sleep(placed.timeout);
      await finish(session, placed.statusCallback, 'no-answer');
      return;
    }
    const verbs = await fetchTwiml(session, placed.url, { CallStatus: 'in-progress' }, 'call');
    await run(session, verbs, 'call', placed.url);
    await finish(session, placed.statusCallback);
  }

  options.restApi?.onCall((placed) => {
    const page = ring(placed).catch((error: unknown) => {
      print({ call: placed.to, who: 'twilio', text: `(page failed: ${(error as Error).message})` });
    });
    pagesInFlight.add(page);
    void page.finally(() => pagesInFlight.delete(page));
  });

  return {
    /** A sysadmin's phone that answers pages, typing from `keypad`, talking `talkSeconds` once bridged. */
    answerPages(phone: string, answerer: { label: string; keypad: Keypad; talkSeconds?: number }): void {
      phones.set(phone, { talkSeconds: 30, ...answerer });
    },

    /** An incoming call to the support number, from the first ring to the status callback. */
    async call(caller: { from: string; label: string; keypad: Keypad; hangUpAfterQueueSeconds?: number }): Promise<CallResult> {
      const session: Session = {
        sid: newSid(),
        label: caller.label,
        role: 'caller',
        params: {
          CallSid: '',
          AccountSid: options.accountSid,
          From: caller.from,
          To: options.supportNumber,
          Direction: 'inbound',
          ApiVersion: '2010-04-01',
        },
        keypad: caller.keypad,
        said: [],
        startedAt: now(),
        ...(caller.hangUpAfterQueueSeconds === undefined ? {} : { hangUpAfterQueueSeconds: caller.hangUpAfterQueueSeconds }),
      };
      session.params.CallSid = session.sid;
      const voiceUrl = `${publicBaseUrl}/twilio/voice`;
      const outcome = await run(session, await fetchTwiml(session, voiceUrl, { CallStatus: 'ringing' }, 'call'), 'call', voiceUrl);
      await finish(session, `${publicBaseUrl}/twilio/status`);
      const ending = outcome === 'leave' || outcome === 'dequeued' ? 'ended' : outcome;
      return { callSid: session.sid, said: session.said, ending };
    },

    /** Waits for every page callgate placed to finish ringing. */
    async settled(): Promise<void> {
      while (pagesInFlight.size > 0) await Promise.all([...pagesInFlight]);
    },
  };
}

export type SimulatedTwilio = ReturnType<typeof createSimulatedTwilio>;
