import { randomBytes } from 'node:crypto';
import { resolveUrl, type Outcome } from './twiml-run.js';
import type { Party } from './party.js';
import { inBackground, say, type SimContext } from './sim-context.js';
import type { Recording } from './sim-types.js';
import { requestIgnoringAnswer, sendStatusCallback } from './status-callbacks.js';
import type { RecordVerb, TwimlContext } from './twiml-document.js';

/**
 * <Record> (https://www.twilio.com/docs/voice/twiml/record): a beep unless
 * playBeep="false", then the party's voice until a finishOnKey key, `timeout`
 * seconds of silence, maxLength, or a hang-up. The action (default: the
 * current document) gets RecordingUrl, RecordingDuration and Digits, and its
 * TwiML continues the call. "If Twilio receives an empty recording, it will
 * not make a request to the 'action' URL. The current call flow will continue
 * with the next verb" — a silent party gives an empty recording. A party who
 * hangs up while recording still has the action requested (Digits=hangup);
 * the call is over, so its TwiML is ignored.
 * recordingStatusCallback (events: completed by default, absent on request)
 * is posted once the recording is processed, a few seconds later, with
 * AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus,
 * RecordingDuration, RecordingChannels=1 and RecordingSource=RecordVerb
 * (https://www.twilio.com/docs/usage/webhooks/voice-webhooks#recording-status-callbacks).
 * Not modelled: transcription, the in-progress event, RecordingStartTime,
 * an absent recording's error code, and Digits on a recording ended by
 * silence or maxLength (left out).
 */
const PROCESSING_SECONDS = 2;

function recordingStatus(ctx: SimContext, party: Party, verb: RecordVerb, docUrl: string, status: 'completed' | 'absent', recording: Recording): void {
  if (verb.recordingStatusCallback === undefined || !verb.recordingStatusCallbackEvent.includes(status)) return;
  const url = resolveUrl(verb.recordingStatusCallback, docUrl);
  const params = {
    AccountSid: party.params.AccountSid ?? '',
    CallSid: party.sid,
    RecordingSid: recording.sid,
    RecordingUrl: recording.url,
    RecordingStatus: status,
    RecordingDuration: String(recording.seconds),
    RecordingChannels: '1',
    RecordingSource: 'RecordVerb',
  };
  const plan = party.init.recordingCallback;
  inBackground(ctx, ctx.clock.sleep(PROCESSING_SECONDS).then(() => sendStatusCallback(ctx, party.init.label, url, verb.recordingStatusCallbackMethod, params, plan)));
}

function newRecording(party: Party, seconds: number): Recording {
  const sid = `RE${randomBytes(16).toString('hex')}`;
  return { sid, url: `https://api.twilio.com/2010-04-01/Accounts/${party.params.AccountSid ?? ''}/Recordings/${sid}`, seconds };
}

export async function record(ctx: SimContext, party: Party, verb: RecordVerb, context: TwimlContext, docUrl: string): Promise<Outcome | 'next-verb'> {
  if (verb.playBeep) say(ctx, party, '(beep)');
  const message = party.takeMessage();
  const who = party.init.role;
  if (message === undefined || message.seconds <= 0) {
    say(ctx, party, '(records: silence)');
    const held = await party.hold(verb.timeout);
    recordingStatus(ctx, party, verb, docUrl, 'absent', newRecording(party, 0));
    if (held !== 'done') return held;
    return 'next-verb';
  }

  const startedAt = ctx.clock.now();
  const cut = message.seconds > verb.maxLength;
  const speaking = Math.min(message.seconds, verb.maxLength);
  ctx.print({ call: party.init.label, who, text: `(leaves a ${String(speaking)} s message)` });
  const held = await party.hold(speaking);
  let digits: string | undefined;
  let silence = 0;
  if (held !== 'done' || (!cut && message.endsWith === 'hangup')) {
    if (held === 'done') {
      ctx.print({ call: party.init.label, who, text: '(hangs up)' });
      party.hangUp();
    }
    digits = 'hangup';
  } else if (!cut && message.endsWith === 'finish-key' && verb.finishOnKey !== '') {
    digits = verb.finishOnKey.charAt(0);
    ctx.print({ call: party.init.label, who, text: `presses ${digits}` });
  } else if (!cut) {
    // Silence (or a finish key the Record does not listen for): `timeout` seconds of it end the recording.
    silence = verb.timeout;
    const quiet = await party.hold(silence);
    if (quiet !== 'done') return quiet; // not modelled further: a hang-up during the closing silence
  }
  const spoken = Math.round(ctx.clock.now() - startedAt - silence);
  const recording = newRecording(party, verb.trim === 'do-not-trim' ? spoken + silence : spoken);
  party.recordings.push(recording);
  say(ctx, party, `(recorded ${String(recording.seconds)} s as ${recording.sid})`);
  recordingStatus(ctx, party, verb, docUrl, 'completed', recording);

  const action = verb.action === undefined ? docUrl : resolveUrl(verb.action, docUrl);
  const params: Record<string, string> = {
    RecordingUrl: recording.url,
    RecordingDuration: String(recording.seconds),
    ...(digits === undefined ? {} : { Digits: digits }),
  };
  if (party.isGone) {
    await requestIgnoringAnswer(ctx, party.sid, action, verb.method, { ...party.params, CallStatus: 'completed', ...params });
    return 'gone';
  }
  return ctx.run(party, action, verb.method, params, context);
}
