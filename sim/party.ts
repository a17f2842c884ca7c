import type { Keypad } from './keypad.js';
import { deferred, type VirtualClock } from './virtual-clock.js';

/** How a status callback is delivered: late (after later events), or never (lost). */
export interface CallbackPlan {
  delaySeconds?: number;
  drop?: boolean;
}

/** A recording a <Record> made on a call. */
export interface Recording {
  /** RE… */
  sid: string;
  /** https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Recordings/{sid} */
  url: string;
  /** RecordingDuration: what was kept (trailing silence is trimmed unless trim="do-not-trim"). */
  seconds: number;
}

export type Held = 'done' | 'gone' | 'interrupted';

/** A REST Call update that gives the call new TwiML (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource). */
export interface Redirect {
  url: string;
  method: string;
}

export interface PartyInit {
  sid: string;
  label: string;
  role: 'caller' | 'sysadmin';
  params: Record<string, string>;
  keypad: Keypad;
  talkSeconds: number;
  hangUpWhenHearing?: RegExp | undefined;
  hangUpAfterSeconds?: number | undefined;
  /** Gives up after this long in a queue. */
  hangUpAfterQueueSeconds?: number | undefined;
  /** Set for a voicemail box: what it hears is recorded here. */
  recorder?: string[] | undefined;
  heard?: string[] | undefined;
  /** The message left at the first <Record> (see CallOptions.leavesMessage). */
  message?: { seconds: number; endsWith: 'finish-key' | 'silence' | 'hangup' } | undefined;
  /** How recording status callbacks for this call are delivered. */
  recordingCallback?: CallbackPlan | undefined;
  /** A queue fault injected for this call (see CallOptions.queueFault). */
  queueFault?: 'system-error' | 'bridging-in-process' | undefined;
}

/**
 * One end of a call as Twilio sees it: the standard request parameters, what
 * the person has heard, and whether they are still on the line. Anything the
 * simulator waits for races against the party hanging up, and, while the
 * party waits in a queue, against being dequeued (`interrupt`).
 */
export class Party {
  readonly said: string[];
  readonly startedAt: number;
  strayKeys = '';
  strayKeysAt = 0;
  interrupt: Promise<void> | undefined;
  /** The QueueResult of the last <Enqueue>, for the caller's ending. */
  queueResult: string | undefined;
  /** Set once a <Dial><Number> connected this party to the called party. */
  bridged = false;
  /** What <Record> recorded on this call. */
  readonly recordings: Recording[] = [];
  /** Set while a REST redirect is honoured for this call (waiting in a queue, or bridged from one). */
  acceptsRedirect = false;
  private messageLeft = false;
  private readonly goneSignal = deferred();
  private redirectSignal = deferred<Redirect>();

  constructor(
    readonly clock: VirtualClock,
    readonly init: PartyInit,
  ) {
    this.said = init.heard ?? [];
    this.startedAt = clock.now();
    if (init.hangUpAfterSeconds !== undefined) void clock.sleep(init.hangUpAfterSeconds).then(() => { this.hangUp(); });
  }

  get sid(): string {
    return this.init.sid;
  }

  get params(): Record<string, string> {
    return this.init.params;
  }

  get isGone(): boolean {
    return this.goneSignal.settled();
  }

  get gone(): Promise<void> {
    return this.goneSignal.promise;
  }

  /** The message this party leaves at a <Record>: only once per call. */
  takeMessage(): PartyInit['message'] {
    if (this.messageLeft) return undefined;
    this.messageLeft = true;
    return this.init.message;
  }

  hangUp(): void {
    this.goneSignal.resolve();
  }

  /** A REST Call update asked for new TwiML; whoever runs this call's current verb takes it. */
  requestRedirect(redirect: Redirect): void {
    if (!this.redirectSignal.settled()) this.redirectSignal.resolve(redirect);
  }

  /** Resolves when a redirect is requested (the current request, until taken). */
  get redirected(): Promise<Redirect> {
    return this.redirectSignal.promise;
  }

  /** The requested redirect, if any, now handled (a later one can be requested). */
  async takeRedirect(): Promise<Redirect | undefined> {
    if (!this.redirectSignal.settled()) return undefined;
    const redirect = await this.redirectSignal.promise;
    this.redirectSignal = deferred();
    return redirect;
  }

  hear(text: string): void {
    this.said.push(text);
    this.init.recorder?.push(text);
  }

  /** Waits `seconds` of call time, unless the party hangs up or is dequeued first. */
  async hold(seconds: number): Promise<Held> {
    const sleep = this.clock.sleep(seconds).then(() => 'done' as const);
    return this.race(sleep);
  }

  async race<T>(promise: Promise<T>): Promise<T | 'gone' | 'interrupted'> {
    if (this.isGone) return 'gone';
    const contenders: Promise<T | 'gone' | 'interrupted'>[] = [promise, this.gone.then(() => 'gone' as const)];
    if (this.interrupt !== undefined) contenders.push(this.interrupt.then(() => 'interrupted' as const));
    return Promise.race(contenders);
  }
}
