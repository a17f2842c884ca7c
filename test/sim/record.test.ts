import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';

// <Record>: https://www.twilio.com/docs/voice/twiml/record (action, method, timeout 5, finishOnKey
// 1234567890*#, maxLength 3600, playBeep true, trim trim-silence, recordingStatusCallback,
// recordingStatusCallbackEvent completed by default; the action gets RecordingUrl, RecordingDuration
// and Digits; "if Twilio receives an empty recording, it will not make a request to the 'action' URL.
// The current call flow will continue with the next verb in the current TwiML document").
// Recording status callbacks: https://www.twilio.com/docs/usage/webhooks/voice-webhooks#recording-status-callbacks
// (AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus, RecordingDuration, RecordingChannels,
// RecordingSource) and https://support.twilio.com/hc/en-us/articles/360014251313 (completed once processed;
// absent when there is no recording).

let app: TwimlServer;
afterEach(async () => {
  await app.close();
});

const VOICEMAIL = {
  '/voice': twiml('<Say>Leave a message after the beep.</Say><Record maxLength="60" finishOnKey="#" action="/recorded" recordingStatusCallback="/recording" recordingStatusCallbackEvent="completed absent"/><Say>We got nothing.</Say>'),
  '/recorded': twiml('<Say>Thank you, goodbye.</Say>'),
  '/recording': '',
  '/status': '',
};

describe('<Record> records what the caller says', () => {
  it('when the caller says nothing, then the recording is empty: no action request, the next verb runs, and an absent callback if asked for', async () => {
    // https://www.twilio.com/docs/voice/twiml/record (empty recording: no action request, next verb runs)
    app = await serveTwiml(VOICEMAIL);
    const { sim, transcript } = simFor(app);
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    await sim.settled();
    expect(app.to('/recorded')).toEqual([]);
    expect(call.said.at(-1)).toBe('We got nothing.');
    expect(call.recordings).toEqual([]);
    expect(transcript.map((l) => l.text)).toContain('(beep)');
    expect(app.to('/recording').map((r) => r.params.RecordingStatus)).toEqual(['absent']);
  });

  it('when the caller talks 12 s and presses #, then the action gets RecordingUrl, RecordingDuration and Digits=#, its TwiML continues the call, and the recording callback follows', async () => {
    // https://www.twilio.com/docs/voice/twiml/record (finishOnKey; action parameters)
    app = await serveTwiml(VOICEMAIL);
    const { sim } = simFor(app);
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]), leavesMessage: { seconds: 12, endsWith: 'finish-key' } });
    const [recording] = call.recordings;
    expect(recording?.sid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(recording?.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recording?.sid ?? ''}`);
    expect(recording?.seconds).toBeGreaterThanOrEqual(12);
    expect(recording?.seconds).toBeLessThanOrEqual(13);
    expect(app.to('/recorded')[0]?.params).toMatchObject({ CallSid: call.callSid, CallStatus: 'in-progress', RecordingUrl: recording?.url, RecordingDuration: String(recording?.seconds), Digits: '#' });
    expect(call.said.slice(-1)).toEqual(['Thank you, goodbye.']);
    expect(call.said).not.toContain('We got nothing.');
    await sim.settled();
    // https://www.twilio.com/docs/usage/webhooks/voice-webhooks#recording-status-callbacks
    expect(app.to('/recording')[0]?.params).toEqual({
      AccountSid: ACCOUNT, CallSid: call.callSid, RecordingSid: recording?.sid, RecordingUrl: recording?.url, RecordingStatus: 'completed',
      RecordingDuration: String(recording?.seconds), RecordingChannels: '1', RecordingSource: 'RecordVerb',
    });
  });

  it('when the caller stops talking, then timeout seconds of silence end it, trimmed from the duration unless trim="do-not-trim", and no Digits are sent', async () => {
    // https://www.twilio.com/docs/voice/twiml/record (timeout: seconds of silence; trim)
    app = await serveTwiml({ '/voice': twiml('<Record timeout="4" action="/a"/><Record timeout="4" trim="do-not-trim" action="/b"/>'), '/a': twiml('<Redirect>/second</Redirect>'), '/second': twiml('<Record timeout="4" trim="do-not-trim" action="/b"/>'), '/b': twiml(''), '/status': '' });
    const { sim } = simFor(app, { speed: 20 });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]), leavesMessage: { seconds: 10, endsWith: 'silence' } });
    const a = app.to('/a')[0]?.params;
    expect(Number(a?.RecordingDuration)).toBeGreaterThanOrEqual(10);
    expect(Number(a?.RecordingDuration)).toBeLessThan(12);
    expect(a?.Digits).toBeUndefined();
    // The message is left once: the second <Record> hears silence, gets an empty recording, and calls no action.
    expect(app.to('/b')).toEqual([]);
    expect(call.recordings).toHaveLength(1);
  });

  it('when the message is longer than maxLength, then it is cut at maxLength', async () => {
    // https://www.twilio.com/docs/voice/twiml/record (maxLength)
    app = await serveTwiml({ '/voice': twiml('<Record maxLength="20" action="/recorded" playBeep="false"/>'), '/recorded': twiml(''), '/status': '' });
    const { sim, transcript } = simFor(app, { speed: 20 });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]), leavesMessage: { seconds: 300, endsWith: 'finish-key' } });
    expect(call.recordings[0]?.seconds).toBeGreaterThanOrEqual(20);
    expect(call.recordings[0]?.seconds).toBeLessThanOrEqual(21);
    expect(app.to('/recorded')[0]?.params.Digits).toBeUndefined();
    expect(transcript.map((l) => l.text)).not.toContain('(beep)');
  });

  it('when the caller hangs up while recording, then the action is still requested with Digits=hangup and its TwiML is not run', async () => {
    // https://www.twilio.com/docs/voice/twiml/record (Digits: the key pressed, or "hangup")
    app = await serveTwiml({ ...VOICEMAIL, '/recorded': twiml('<Say>Never heard.</Say>') });
    const { sim } = simFor(app);
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]), leavesMessage: { seconds: 8, endsWith: 'hangup' } });
    expect(app.to('/recorded')[0]?.params).toMatchObject({ Digits: 'hangup', CallStatus: 'completed' });
    expect(call.said).not.toContain('Never heard.');
    expect(call.ending).toBe('caller-hung-up');
    expect(call.recordings[0]?.seconds).toBeGreaterThanOrEqual(8);
  });

  it('when the recording status callback is planned late or dropped, then it follows the CallbackPlan', async () => {
    // https://www.twilio.com/docs/usage/webhooks/voice-webhooks#recording-status-callbacks (sent after processing, asynchronously)
    app = await serveTwiml(VOICEMAIL);
    const { sim } = simFor(app);
    await sim.call({ from: '+1', label: 'lost', keypad: scriptedKeypad([]), leavesMessage: { seconds: 3, endsWith: 'finish-key' }, recordingStatusCallback: { drop: true } });
    const late = await sim.call({ from: '+2', label: 'late', keypad: scriptedKeypad([]), leavesMessage: { seconds: 3, endsWith: 'finish-key' }, recordingStatusCallback: { delaySeconds: 60 } });
    expect(app.to('/recording')).toEqual([]);
    await sim.settled();
    expect(app.to('/recording').map((r) => r.params.CallSid)).toEqual([late.callSid]);
  });
});
