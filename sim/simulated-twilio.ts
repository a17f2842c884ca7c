import { randomBytes } from 'node:crypto';
import { loadAndRun } from './call-runner.js';
import type { Outcome } from './twiml-run.js';
import { ringPhone } from './outbound-pages.js';
import { Party } from './party.js';
import { createQueueRegistry } from './queue-registry.js';
import { inBackground, type SimContext } from './sim-context.js';
import type { CallOptions, CallResult, FatalError, PhoneLog, PhoneScript, SimOptions } from './sim-types.js';
import { sendStatusCallback } from './status-callbacks.js';
import { virtualClock } from './virtual-clock.js';
import { createWebhookClient } from './webhook-client.js';

export { HANG_UP, scriptedKeypad, type Keypad } from './keypad.js';
export { WITHHELD_FROM } from './withheld-numbers.js';
export type { CallbackPlan, CallOptions, CallResult, FatalError, PhoneLog, PhoneScript, Recording, SimOptions, TranscriptLine } from './sim-types.js';

/**
 * The part of Twilio that callgate uses, on this machine: it places calls by
 * posting signed webhooks, runs the TwiML it gets back as Twilio would, holds
 * callers in queues, rings simulated phones when the service places calls
 * through the REST stand-in, and bridges the two. Time runs on a virtual
 * clock `speed` times faster than real time, so a ten-minute wait takes seconds.
 * What each part copies from Twilio, with the doc page, is said in that part.
 */
export function createSimulatedTwilio(options: SimOptions) {
  const { publicBaseUrl } = options;
  const phones = new Map<string, PhoneScript>();
  const logs = new Map<string, PhoneLog>();
  const logOf = (phone: string): PhoneLog => {
    let log = logs.get(phone);
    if (log === undefined) logs.set(phone, (log = { recorded: [], heard: [] }));
    return log;
  };
  const ctx: SimContext = {
    run: (party, url, method, extra, context) => loadAndRun(ctx, party, url, method, extra, context),
    clock: virtualClock(options.speed),
    webhooks: createWebhookClient({ serviceUrls: options.serviceUrls, publicBaseUrl, authToken: options.authToken, readTimeoutMs: options.readTimeoutMs ?? 15_000 }),
    queues: options.restApi?.queues ?? createQueueRegistry(),
    liveCalls: options.restApi?.liveCalls ?? new Map<string, Party>(),
    print: options.print,
    errors: [],
    background: new Set(),
    fallbackUrl: options.fallbackUrl,
    mediaSeconds: options.mediaSeconds ?? {},
    defaultMediaSeconds: options.defaultMediaSeconds ?? 30,
    saySecondsPerCharacter: options.saySecondsPerCharacter ?? 0.06,
    extraRingSeconds: options.extraRingSeconds ?? 5,
    statusCallbackDelaySeconds: options.statusCallbackDelaySeconds ?? 0,
    strayKeySeconds: 2,
    phones: { script: (number) => phones.get(number), log: (number) => logOf(number) },
  };

  options.restApi?.onCall((placed) => {
    const page = ringPhone(ctx, placed, phones.get(placed.to), logOf(placed.to)).catch((error: unknown) => {
      ctx.print({ call: placed.to, who: 'twilio', text: `(page failed: ${error instanceof Error ? error.message : String(error)})` });
    });
    inBackground(ctx, page);
  });

  const endingOf = (party: Party, outcome: Outcome): CallResult['ending'] => {
    if (party.queueResult === 'bridged' || party.queueResult === 'redirected-from-bridged' || party.bridged) return 'bridged';
    if (party.queueResult === 'hangup') return 'abandoned';
    if (outcome === 'gone') return 'caller-hung-up';
    if (outcome === 'hangup') return 'hangup';
    return party.queueResult === 'leave' ? 'left-queue' : 'ended';
  };

  return {
    /** A phone the service may page or a <Dial><Number> may ring: a person (default), a voicemail box, a fax machine, or one that never answers, is busy, fails or is canceled. */
    answerPages(phone: string, script: PhoneScript): PhoneLog {
      phones.set(phone, script);
      return logOf(phone);
    },

    /** What a paged phone heard and what its voicemail recorded. */
    phone: (phone: string): PhoneLog => logOf(phone),

    /** An incoming call to the support number, from the first ring to the status callback. */
    async call(caller: CallOptions): Promise<CallResult> {
      const sid = `CA${randomBytes(16).toString('hex')}`;
      const params: Record<string, string> = {
        CallSid: sid,
        AccountSid: options.accountSid,
        From: caller.from,
        To: options.supportNumber,
        Caller: caller.from,
        Called: options.supportNumber,
        Direction: 'inbound',
        CallStatus: 'ringing',
        ApiVersion: '2010-04-01',
        ...(caller.stirVerstat === undefined ? {} : { StirVerstat: caller.stirVerstat }),
      };
      const party = new Party(ctx.clock, {
        sid,
        label: caller.label,
        role: 'caller',
        params,
        keypad: caller.keypad,
        talkSeconds: caller.talkSeconds ?? 30,
        hangUpWhenHearing: caller.hangUpWhenHearing,
        hangUpAfterSeconds: caller.hangUpAfterSeconds,
        hangUpAfterQueueSeconds: caller.hangUpAfterQueueSeconds,
        message: caller.leavesMessage,
        recordingCallback: caller.recordingStatusCallback,
        queueFault: caller.queueFault,
      });
      ctx.liveCalls.set(sid, party);
      const outcome = await loadAndRun(ctx, party, options.voiceUrl ?? `${publicBaseUrl}/twilio/voice`, 'POST', {}, 'call').finally(() => ctx.liveCalls.delete(sid));
      party.hangUp();
      const status = { ...params, CallStatus: 'completed', CallDuration: String(Math.round(ctx.clock.now() - party.startedAt)) };
      await sendStatusCallback(ctx, caller.label, options.statusCallbackUrl ?? `${publicBaseUrl}/twilio/status`, 'POST', status, caller.statusCallback);
      return { callSid: sid, said: party.said, recordings: [...party.recordings], ending: endingOf(party, outcome) };
    },

    /** Every fatal error so far (Twilio's debugger log): an end-to-end test expects none. */
    errors: (): FatalError[] => [...ctx.errors],

    /** The account's queues, as Twilio holds them. */
    queues: ctx.queues,

    /** Waits for every page to finish ringing and every late status callback to arrive. */
    async settled(): Promise<void> {
      while (ctx.background.size > 0) await Promise.all([...ctx.background]);
    },
  };
}

export type SimulatedTwilio = ReturnType<typeof createSimulatedTwilio>;
