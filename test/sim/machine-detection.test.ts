import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad, type PhoneScript, type TranscriptLine } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// Answering machine detection on calls placed through Calls.json:
// https://www.twilio.com/docs/voice/answering-machine-detection (MachineDetection Enable / DetectMessageEnd; AsyncAmd,
// AsyncAmdStatusCallback, AsyncAmdStatusCallbackMethod; AnsweredBy human, machine_start, machine_end_beep,
// machine_end_silence, machine_end_other, fax, unknown; "synchronously (blocking the call until detection completes) or
// asynchronously (connecting immediately while detection runs in the background)"),
// https://www.twilio.com/docs/voice/api/call-resource (the Calls.json parameters), and the tuning parameters' meaning and
// defaults as https://www.twilio.com/docs/voice/twiml/number#attributes-machine-detection gives them: timeout 30 s,
// speech threshold 2400 ms ("durations lower than this value will be interpreted as a human and longer than this value
// as a machine"), speech end threshold 1200 ms, silence timeout 5000 ms ("initial silence after which an unknown
// AnsweredBy result will be returned").

const PHONE = '+447700900999';
let rest: TwilioRestApi;
let app: TwimlServer;
afterEach(async () => {
  await rest.close();
  await app.close();
});

async function page(script: PhoneScript, form: Record<string, string>, url = '/agent') {
  rest = await startTwilioRestApi();
  app = await serveTwiml({
    '/agent': twiml('<Say>Press 1 to hear who is waiting.</Say><Gather numDigits="1" action="/brief"/><Say>Goodbye.</Say>'),
    '/brief': twiml('<Say>Ada Lovelace of Acme is waiting.</Say>'),
    '/hangup': twiml('<Hangup/>'),
    '/amd': '',
    '/agent-status': '',
  });
  const transcript: TranscriptLine[] = [];
  const { sim } = simFor(app, { restApi: rest, print: (line) => transcript.push(line) });
  const log = sim.answerPages(PHONE, script);
  const body = new URLSearchParams({ To: PHONE, From: '+442070000000', Url: `${app.url}${url}`, StatusCallback: `${app.url}/agent-status`, Timeout: '30', ...form });
  const res = await fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}/Calls.json`, { method: 'POST', body });
  expect(res.status).toBe(201);
  await until(() => rest.calls.length === 1);
  await sim.settled();
  const status = app.to('/agent-status')[0]?.params ?? {};
  return { log, status, transcript, url: app.to(url).map((r) => r.params), amd: app.to('/amd').map((r) => r.params) };
}

// A keypad is used up as it is pressed: each test gets its own Sam.
const samAnswersWithHisName = (): PhoneScript => ({ label: 'Sam', greeting: 'Sam Jones, on-call ops, go ahead', greetingSeconds: 3, keypad: scriptedKeypad(['1']) });

describe('answering machine detection reports every AnsweredBy Twilio documents', () => {
  it.each<[string, string, PhoneScript, Record<string, string>]>([
    ['a person who says "Hello?"', 'human', { label: 'Sam' }, { MachineDetection: 'Enable' }],
    ['a person who answers with their name and team (3 s of speech)', 'machine_start', samAnswersWithHisName(), { MachineDetection: 'Enable' }],
    ['that person, waiting for the end of the message', 'machine_end_silence', samAnswersWithHisName(), { MachineDetection: 'DetectMessageEnd' }],
    ['a person who answers in 2 s, with a 1500 ms speech threshold', 'machine_start', { label: 'Sam', greetingSeconds: 2 }, { MachineDetection: 'Enable', MachineDetectionSpeechThreshold: '1500' }],
    ['a voicemail box whose greeting ends in a beep', 'machine_end_beep', { label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 5 }, { MachineDetection: 'DetectMessageEnd' }],
    ['a voicemail box whose greeting ends in silence', 'machine_end_silence', { label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 5, greetingEndsWith: 'silence' }, { MachineDetection: 'DetectMessageEnd' }],
    ['a voicemail box whose greeting ends otherwise', 'machine_end_other', { label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 5, greetingEndsWith: 'other' }, { MachineDetection: 'DetectMessageEnd' }],
    ['a fax machine', 'fax', { label: 'Sam', answers: 'fax' }, { MachineDetection: 'Enable' }],
    ['someone who says nothing', 'unknown', { label: 'Sam', greetingSeconds: 0 }, { MachineDetection: 'Enable' }],
    ['a greeting longer than MachineDetectionTimeout', 'unknown', { label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 5, greetingSeconds: 20 }, { MachineDetection: 'DetectMessageEnd', MachineDetectionTimeout: '10' }],
  ])('when %s answers, then Url gets AnsweredBy=%s', async (_who, answeredBy, script, form) => {
    const { url, status, transcript } = await page(script, form);
    expect(url[0]?.AnsweredBy).toBe(answeredBy);
    expect(status).toMatchObject({ CallStatus: 'completed', AnsweredBy: answeredBy });
    expect(transcript.some((l) => l.call === 'Sam' && l.text.startsWith(`(answering machine detection: AnsweredBy=${answeredBy} after `))).toBe(true);
  });

  it('when detection is synchronous, then the call is held in silence until the verdict, and Url is requested only then', async () => {
    // A 12 s greeting and DetectMessageEnd: Url (which hangs up at once) comes after the beep.
    const held = await page({ label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 5, greetingSeconds: 12 }, { MachineDetection: 'DetectMessageEnd' }, '/hangup');
    expect(Number(held.status.CallDuration)).toBeGreaterThanOrEqual(12);
    await rest.close();
    await app.close();
    // A silent answer is held for the 5 s silence timeout.
    const silent = await page({ label: 'Sam', greetingSeconds: 0 }, { MachineDetection: 'Enable' }, '/hangup');
    expect(Number(silent.status.CallDuration)).toBeGreaterThanOrEqual(5);
    await rest.close();
    await app.close();
    const undetected = await page({ label: 'Sam', greetingSeconds: 0 }, {}, '/hangup');
    expect(Number(undetected.status.CallDuration)).toBeLessThan(2);
    expect(undetected.url[0]?.AnsweredBy).toBeUndefined();
  });

  it('when a person answers with their name and detection is synchronous, then Twilio calls them a machine before Url says a word', async () => {
    const { url, log, transcript } = await page(samAnswersWithHisName(), { MachineDetection: 'Enable' });
    expect(url[0]?.AnsweredBy).toBe('machine_start');
    expect(transcript).toContainEqual({ call: 'Sam', who: 'sysadmin', text: '(answers, speaking for 3 s: “Sam Jones, on-call ops, go ahead”)' });
    // This test application ignores AnsweredBy, so Sam still hears it; callgate decides what a machine_start hears.
    expect(log.heard).toContain('Ada Lovelace of Acme is waiting.');
  });

  it('when AsyncAmd is true, then Url is requested at once without AnsweredBy, and the verdict is posted to AsyncAmdStatusCallback with its duration', async () => {
    const { url, amd, log } = await page(samAnswersWithHisName(), { MachineDetection: 'Enable', AsyncAmd: 'true', AsyncAmdStatusCallback: '/amd' });
    expect(url[0]?.AnsweredBy).toBeUndefined();
    expect(amd).toEqual([{ CallSid: rest.calls[0]?.sid, AccountSid: ACCOUNT, AnsweredBy: 'machine_start', MachineDetectionDuration: '2400' }]);
    const order = app.requests.map((r) => r.path);
    expect(order.indexOf('/agent')).toBeLessThan(order.indexOf('/amd'));
    // Nothing held the call: the person who answered with his name hears the greeting and the briefing.
    expect(log.heard).toEqual(['Press 1 to hear who is waiting.', 'Ada Lovelace of Acme is waiting.']);
    expect(rest.calls[0]).toMatchObject({ asyncAmd: true, asyncAmdStatusCallback: '/amd', asyncAmdStatusCallbackMethod: 'POST', machineDetectionSpeechThreshold: 2400, machineDetectionTimeout: 30 });
  });

  it('when AsyncAmd is true and the call ends before the verdict, then no verdict is posted (simulator\'s choice)', async () => {
    const { amd, url } = await page({ label: 'Sam', greetingSeconds: 0 }, { MachineDetection: 'Enable', AsyncAmd: 'true', AsyncAmdStatusCallback: '/amd' }, '/hangup');
    expect(url).toHaveLength(1);
    expect(amd).toEqual([]);
  });
});
