import { randomBytes } from 'node:crypto';
import { resolveUrl, type Outcome } from './twiml-run.js';
import { converse } from './conversation.js';
import { scriptedKeypad } from './keypad.js';
import { howItAnswers, VOICEMAIL_RECORDS_SECONDS } from './outbound-pages.js';
import { Party } from './party.js';
import { say, type SimContext } from './sim-context.js';
import { requestIgnoringAnswer } from './status-callbacks.js';
import type { DialNumberVerb } from './twiml-document.js';

/**
 * <Dial><Number> (https://www.twilio.com/docs/voice/twiml/dial and
 * https://www.twilio.com/docs/voice/twiml/number): rings the number for
 * `timeout` seconds (Twilio's default 30, plus the ~5 s Twilio may add), with
 * callerId as the From it shows (default: the caller's own number). A phone
 * registered with `answerPages` answers as its PhoneScript says; any other
 * number never answers. Once answered, the <Number url> document runs on the
 * called party (what they hear goes to their PhoneLog), then the two are
 * connected and talk until one hangs up (see conversation.ts). The action gets
 * DialCallStatus, DialCallSid, DialCallDuration and DialBridged ("whether the
 * dial call has been connected to the dialed destination": true only after a
 * bridge). Its TwiML continues the caller's call whenever the caller is still
 * on the line: after no-answer, busy or failed, and after a bridge the called
 * party left first (without an action, the next verb runs). The called leg is
 * a child of the caller's call: a caller who hangs up first takes it along.
 * Choices where the docs are silent: a called party who hangs up during the
 * <Number url> document (declines), or whose document Twilio cannot run,
 * gives DialCallStatus=completed, DialBridged=false and DialCallDuration of
 * the screening; a caller who hangs up while it rings gives canceled.
 * Not modelled: several nouns, sendDigits, the Number's statusCallback,
 * answerOnBridge, timeLimit, record, hangupOnStar, machineDetection.
 */
export async function dialNumber(ctx: SimContext, dialer: Party, verb: DialNumberVerb, docUrl: string): Promise<Outcome | 'next-verb'> {
  const finish = async (params: Record<string, string>): Promise<Outcome | 'next-verb'> => {
    if (verb.action === undefined) return dialer.isGone ? 'gone' : 'next-verb';
    const action = resolveUrl(verb.action, docUrl);
    if (!dialer.isGone) return ctx.run(dialer, action, verb.method, params, 'call');
    await requestIgnoringAnswer(ctx, dialer.sid, action, verb.method, { ...dialer.params, CallStatus: 'completed', ...params });
    return 'gone';
  };
  const script = ctx.phones.script(verb.number);
  const label = script?.label ?? verb.number;
  const sid = `CA${randomBytes(16).toString('hex')}`;
  say(ctx, dialer, `(dials ${label} at ${verb.number})`);
  const answer = howItAnswers(script, verb.timeout + ctx.extraRingSeconds);
  const rang = await dialer.race(ctx.clock.sleep(answer.afterSeconds));
  if (rang === 'gone' || rang === 'interrupted') return finish({ DialCallStatus: 'canceled', DialCallSid: sid, DialCallDuration: '0', DialBridged: 'false' });
  if (answer.status !== 'answered') {
    // A 'canceled' script (a REST cancellation) has no meaning for a dialled leg: it fails.
    const status = answer.status === 'canceled' ? 'failed' : answer.status;
    say(ctx, dialer, `(${label}: ${status})`);
    return finish({ DialCallStatus: status, DialCallSid: sid, DialCallDuration: '0', DialBridged: 'false' });
  }

  const log = ctx.phones.log(verb.number);
  const called = new Party(ctx.clock, {
    sid,
    label,
    role: 'sysadmin',
    params: {
      CallSid: sid,
      AccountSid: dialer.params.AccountSid ?? '',
      From: verb.callerId ?? dialer.params.From ?? '',
      To: verb.number,
      Direction: 'outbound-dial',
      ParentCallSid: dialer.sid,
      ApiVersion: '2010-04-01',
      CallStatus: 'in-progress',
    },
    keypad: answer.machine ? scriptedKeypad([]) : (script?.keypad ?? scriptedKeypad([])),
    talkSeconds: answer.machine ? VOICEMAIL_RECORDS_SECONDS : (script?.talkSeconds ?? 30),
    hangUpWhenHearing: answer.machine ? undefined : script?.hangUpWhenHearing,
    hangUpAfterSeconds: answer.machine ? VOICEMAIL_RECORDS_SECONDS : script?.hangUpAfterSeconds,
    recorder: answer.kind === 'voicemail' ? log.recorded : undefined,
    heard: log.heard,
  });
  const answeredAt = ctx.clock.now();
  say(ctx, called, answer.kind === 'voicemail' ? '(voicemail answers and records)' : answer.kind === 'fax' ? '(a fax machine answers)' : '(answers)');
  const duration = () => String(Math.round(ctx.clock.now() - answeredAt));
  const dropped = () => {
    called.hangUp();
    return finish({ DialCallStatus: 'completed', DialCallSid: sid, DialCallDuration: duration(), DialBridged: 'false' });
  };
  if (verb.url !== undefined) {
    const screened = await Promise.race([ctx.run(called, resolveUrl(verb.url, docUrl), verb.urlMethod, {}, 'screen'), dialer.gone.then(() => 'caller-gone' as const)]);
    if (screened === 'caller-gone') return dropped();
    if (screened !== 'ended' || called.isGone) {
      say(ctx, dialer, `(${label} declines the call)`);
      return dropped();
    }
  }
  if (dialer.isGone) return dropped();

  say(ctx, dialer, `(connected with ${label})`);
  say(ctx, called, `(connected with ${dialer.init.label})`);
  dialer.bridged = true;
  const bridgedAt = ctx.clock.now();
  const end = await converse(ctx, dialer, called);
  // The called leg is the caller's child: it ends with the caller's call (and has no TwiML left to run).
  called.hangUp();
  if (end.left === 'other' && verb.action !== undefined) {
    say(ctx, dialer, `(the Dial's action runs on: DialCallStatus=completed, DialBridged=true, ${String(Math.round(ctx.clock.now() - bridgedAt))} s talked)`);
  }
  return finish({ DialCallStatus: 'completed', DialCallSid: sid, DialCallDuration: duration(), DialBridged: 'true' });
}
