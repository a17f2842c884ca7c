import { loadAndRun } from './call-runner.js';
import { scriptedKeypad } from './keypad.js';
import { Party } from './party.js';
import { say, type SimContext } from './sim-context.js';
import type { PhoneLog, PhoneScript } from './sim-types.js';
import { sendStatusCallback } from './status-callbacks.js';
import type { PlacedCall } from './twilio-rest-api.js';

/**
 * A call placed through Calls.json rings a simulated phone
 * (https://www.twilio.com/docs/voice/api/call-resource): it rings for at most
 * Timeout seconds, plus the ~5 s Twilio "may add" ("a timeout value of 10
 * seconds could result in an actual timeout closer to 15 seconds"). Only an
 * answered call requests Url; busy, failed, canceled and no-answer go to the
 * status callback alone. With MachineDetection
 * (https://www.twilio.com/docs/voice/answering-machine-detection) the Url
 * request carries AnsweredBy: human, or machine_start (Enable) /
 * machine_end_beep (DetectMessageEnd) for a voicemail box. Without it the
 * box records whatever is said to it and presses nothing.
 */
export const VOICEMAIL_RECORDS_SECONDS = 120;

export interface Answer {
  status: 'answered' | 'no-answer' | 'busy' | 'failed' | 'canceled';
  afterSeconds: number;
  machine: boolean;
}

export function howItAnswers(script: PhoneScript | undefined, ringLimit: number): Answer {
  const answers = script?.answers ?? (script === undefined ? 'no-answer' : 'person');
  if (answers === 'busy') return { status: 'busy', afterSeconds: 1, machine: false };
  if (answers === 'failed' || answers === 'canceled') return { status: answers, afterSeconds: 0, machine: false };
  const ring = answers === 'person' ? (script?.ringSeconds ?? 3) : answers === 'voicemail' ? (script?.voicemailAfterSeconds ?? 25) : Infinity;
  if (ring > ringLimit) return { status: 'no-answer', afterSeconds: ringLimit, machine: false };
  return { status: 'answered', afterSeconds: ring, machine: answers === 'voicemail' };
}

function answeredBy(placed: PlacedCall, machine: boolean): string | undefined {
  if (placed.machineDetection === undefined) return undefined;
  if (!machine) return 'human';
  return placed.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
}

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
  const by = answeredBy(placed, answer.machine);
  const recording = answer.machine && by === undefined;
  const party = new Party(ctx.clock, {
    sid: placed.sid,
    label,
    role: 'sysadmin',
    params: { ...params, CallStatus: 'in-progress', ...(by === undefined ? {} : { AnsweredBy: by }) },
    keypad: answer.machine ? scriptedKeypad([]) : (script?.keypad ?? scriptedKeypad([])),
    talkSeconds: script?.talkSeconds ?? 30,
    hangUpWhenHearing: answer.machine ? undefined : script?.hangUpWhenHearing,
    hangUpAfterSeconds: answer.machine ? VOICEMAIL_RECORDS_SECONDS : script?.hangUpAfterSeconds,
    recorder: recording ? log.recorded : undefined,
    heard: log.heard,
  });
  if (answer.machine) say(ctx, party, by === undefined ? '(voicemail answers and records)' : `(voicemail answers: AnsweredBy=${by})`);
  await loadAndRun(ctx, party, placed.url, placed.method, {}, 'call');
  party.hangUp();
  await callback('completed', { CallDuration: String(Math.round(ctx.clock.now() - party.startedAt)), ...(by === undefined ? {} : { AnsweredBy: by }) });
}
