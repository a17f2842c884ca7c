import { resolveUrl } from './twiml-run.js';
import { scriptedKeypad } from './keypad.js';
import { detect, detectionOf, type Answerer, type MachineDetection, type Verdict } from './machine-detection.js';
import { Party } from './party.js';
import { inBackground, say, type SimContext } from './sim-context.js';
import type { PhoneLog, PhoneScript } from './sim-types.js';
import { notify, sendStatusCallback } from './status-callbacks.js';
import type { PlacedCall } from './twilio-rest-api.js';

/**
 * A call placed through Calls.json rings a simulated phone
 * (https://www.twilio.com/docs/voice/api/call-resource): it rings for at most
 * Timeout seconds, plus the ~5 s Twilio "may add" ("a timeout value of 10
 * seconds could result in an actual timeout closer to 15 seconds"). Only an
 * answered call requests Url; busy, failed, canceled and no-answer go to the
 * status callback alone.
 * With MachineDetection (https://www.twilio.com/docs/voice/answering-machine-detection,
 * "AMD can run synchronously (blocking the call until detection completes) or
 * asynchronously (connecting immediately while detection runs in the
 * background)"): synchronous detection holds the answered call in silence and
 * requests Url only once it has a verdict, with AnsweredBy; with AsyncAmd=true
 * Url is requested at once without AnsweredBy, and the verdict is posted to
 * AsyncAmdStatusCallback (CallSid, AccountSid, AnsweredBy,
 * MachineDetectionDuration in ms). Verdicts: see machine-detection.ts.
 * Without MachineDetection no AnsweredBy is sent. A voicemail box records
 * whatever is said to it and presses nothing; a fax machine hears nothing and
 * hangs up after a minute.
 * Simulator's choices: an asynchronous verdict for a call that ended first is
 * never posted (so a service cannot come to rely on it); the status callback
 * carries AnsweredBy once there is a verdict.
 */
export const VOICEMAIL_RECORDS_SECONDS = 120;
const FAX_GIVES_UP_SECONDS = 60;

export interface Answer {
  status: 'answered' | 'no-answer' | 'busy' | 'failed' | 'canceled';
  afterSeconds: number;
  /** Who or what picked up an answered call. */
  kind: 'person' | 'voicemail' | 'fax';
  /** A voicemail box or fax machine: it presses nothing. */
  machine: boolean;
}

export function howItAnswers(script: PhoneScript | undefined, ringLimit: number): Answer {
  const answers = script?.answers ?? (script === undefined ? 'no-answer' : 'person');
  const unanswered = (status: Answer['status'], afterSeconds: number): Answer => ({ status, afterSeconds, kind: 'person', machine: false });
  if (answers === 'busy') return unanswered('busy', 1);
  if (answers === 'failed' || answers === 'canceled') return unanswered(answers, 0);
  if (answers === 'no-answer') return unanswered('no-answer', ringLimit);
  const ring = answers === 'voicemail' ? (script?.voicemailAfterSeconds ?? 25) : (script?.ringSeconds ?? 3);
  if (ring > ringLimit) return unanswered('no-answer', ringLimit);
  return { status: 'answered', afterSeconds: ring, kind: answers, machine: answers !== 'person' };
}

function answererOf(script: PhoneScript | undefined, kind: Answer['kind']): Answerer {
  return {
    kind,
    greetingSeconds: script?.greetingSeconds ?? (kind === 'voicemail' ? 8 : kind === 'person' ? 1 : 0),
    greetingEndsWith: script?.greetingEndsWith ?? 'beep',
  };
}

const verdictText = (verdict: Verdict, amd: MachineDetection): string =>
  `(answering machine detection${amd.async ? ', in the background' : ''}: AnsweredBy=${verdict.answeredBy} after ${(verdict.afterMs / 1000).toFixed(1)} s)`;

export async function ringPhone(ctx: SimContext, placed: PlacedCall, script: PhoneScript | undefined, log: PhoneLog): Promise<void> {
  const label = script?.label ?? placed.to;
  const params: Record<string, string> = { CallSid: placed.sid, AccountSid: placed.accountSid, From: placed.from, To: placed.to, Direction: 'outbound-api', ApiVersion: '2010-04-01', CallStatus: 'ringing' };
  ctx.print({ call: label, who: 'twilio', text: `(rings ${label} at ${placed.to})` });
  const answer = howItAnswers(script, placed.timeout + ctx.extraRingSeconds);
  await ctx.clock.sleep(answer.afterSeconds);
  const callback = (status: string, extra: Record<string, string>) =>
    placed.statusCallback === undefined
      ? Promise.resolve()
      : sendStatusCallback(ctx, label, placed.statusCallback, placed.statusCallbackMethod, { ...params, CallStatus: status, ...extra }, script?.statusCallback);
  if (answer.status !== 'answered') {
    ctx.print({ call: label, who: 'twilio', text: `(${answer.status})` });
    await callback(answer.status, { CallDuration: '0' });
    return;
  }
  const amd = detectionOf(placed);
  const answerer = answererOf(script, answer.kind);
  const verdict = amd === undefined ? undefined : detect(answerer, amd);
  const party = new Party(ctx.clock, {
    sid: placed.sid,
    label,
    role: 'sysadmin',
    params: { ...params, CallStatus: 'in-progress' },
    keypad: answer.machine ? scriptedKeypad([]) : (script?.keypad ?? scriptedKeypad([])),
    talkSeconds: script?.talkSeconds ?? 30,
    hangUpWhenHearing: answer.machine ? undefined : script?.hangUpWhenHearing,
    hangUpAfterSeconds: answer.kind === 'voicemail' ? VOICEMAIL_RECORDS_SECONDS : answer.kind === 'fax' ? FAX_GIVES_UP_SECONDS : script?.hangUpAfterSeconds,
    recorder: answer.kind === 'voicemail' ? log.recorded : undefined,
    heard: log.heard,
  });
  ctx.liveCalls.set(party.sid, party);
  if (answer.kind === 'person') {
    const words = script?.greeting === undefined ? '' : `: “${script.greeting}”`;
    ctx.print({ call: label, who: 'sysadmin', text: answerer.greetingSeconds > 0 ? `(answers, speaking for ${String(answerer.greetingSeconds)} s${words})` : '(answers and says nothing)' });
  } else say(ctx, party, answer.kind === 'voicemail' ? '(voicemail answers and records)' : '(a fax machine answers)');

  let answeredBy: string | undefined;
  if (amd !== undefined && verdict !== undefined && !amd.async) {
    // Synchronous detection: the call is held until the verdict, and Url is requested only then.
    const held = await party.hold(verdict.afterMs / 1000);
    if (held === 'done') {
      answeredBy = verdict.answeredBy;
      party.params.AnsweredBy = verdict.answeredBy;
      say(ctx, party, verdictText(verdict, amd));
    }
  } else if (amd !== undefined && verdict !== undefined) {
    const report = amd.asyncCallback === undefined ? undefined : resolveUrl(amd.asyncCallback, placed.url);
    inBackground(ctx, ctx.clock.sleep(verdict.afterMs / 1000).then(async () => {
      if (party.isGone) return;
      answeredBy = verdict.answeredBy;
      say(ctx, party, verdictText(verdict, amd));
      // No AsyncAmdStatusCallback: Twilio keeps the verdict on the Call resource only (its warning 21262).
      if (report === undefined) return;
      const verdictParams = { CallSid: placed.sid, AccountSid: placed.accountSid, AnsweredBy: verdict.answeredBy, MachineDetectionDuration: String(verdict.afterMs) };
      await notify(ctx, placed.sid, report, amd.asyncCallbackMethod, verdictParams);
    }));
  }
  if (!party.isGone) await ctx.run(party, placed.url, placed.method, {}, 'call');
  party.hangUp();
  ctx.liveCalls.delete(party.sid);
  await callback('completed', { CallDuration: String(Math.round(ctx.clock.now() - party.startedAt)), ...(answeredBy === undefined ? {} : { AnsweredBy: answeredBy }) });
}
