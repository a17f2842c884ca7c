import { afterEach, describe, expect, it } from 'vitest';
import { HANG_UP, scriptedKeypad, type PhoneScript } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// Placing a call: https://www.twilio.com/docs/voice/api/call-resource (Timeout: "we will add a 5-second
// buffer… a timeout value of 10 seconds could result in an actual timeout closer to 15 seconds";
// statuses queued, ringing, in-progress, completed, busy, failed, no-answer, canceled).
// Answering machine detection: https://www.twilio.com/docs/voice/answering-machine-detection
// (AnsweredBy human, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax, unknown).

const PHONE = '+447700900999';
let rest: TwilioRestApi;
let app: TwimlServer;
afterEach(async () => {
  await rest.close();
  await app.close();
});

async function page(script: PhoneScript, form: Record<string, string>) {
  rest = await startTwilioRestApi();
  app = await serveTwiml({
    '/agent': twiml('<Say>Press 1 to hear who is waiting.</Say><Gather numDigits="1" action="/brief"/><Say>Goodbye.</Say>'),
    '/brief': twiml('<Say>Ada Lovelace of Acme is waiting.</Say>'),
    '/agent-status': '',
  });
  const { sim } = simFor(app, { restApi: rest });
  const log = sim.answerPages(PHONE, script);
  const body = new URLSearchParams({ To: PHONE, From: '+442070000000', Url: `${app.url}/agent`, StatusCallback: `${app.url}/agent-status`, ...form });
  body.append('StatusCallbackEvent', 'completed');
  const res = await fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}/Calls.json`, { method: 'POST', body });
  expect(res.status).toBe(201);
  await until(() => rest.calls.length === 1);
  await sim.settled();
  const status = app.to('/agent-status');
  expect(status).toHaveLength(1);
  return { log, status: status[0]?.params ?? {}, agent: app.to('/agent').map((r) => r.params) };
}

describe('pages placed through Calls.json ring simulated phones', () => {
  it('when a person answers and detection is on, then Url carries AnsweredBy=human and the status callback says completed', async () => {
    const { agent, status, log } = await page({ label: 'Sam', keypad: scriptedKeypad(['1']) }, { Timeout: '20', MachineDetection: 'Enable' });
    expect(agent[0]).toMatchObject({ AnsweredBy: 'human', Direction: 'outbound-api', CallStatus: 'in-progress' });
    expect(status).toMatchObject({ CallStatus: 'completed', AnsweredBy: 'human' });
    expect(log.heard).toContain('Ada Lovelace of Acme is waiting.');
    expect(rest.calls[0]).toMatchObject({ to: PHONE, timeout: 20, machineDetection: 'Enable', statusCallbackEvent: ['completed'], statusCallback: `${app.url}/agent-status` });
    expect(rest.calls[0]?.form.MachineDetection).toEqual(['Enable']);
  });

  it('when a voicemail box answers after 25 s but the page rings at most 15 s, then it is no-answer and Url is never requested', async () => {
    const { agent, status } = await page({ label: 'Sam', answers: 'voicemail' }, { Timeout: '15', MachineDetection: 'Enable' });
    expect(agent).toEqual([]);
    expect(status.CallStatus).toBe('no-answer');
  });

  it('when Timeout is 20, then Twilio\'s 5 s of extra ringing lets a 25 s voicemail answer, and detection reports machine_start', async () => {
    const { agent, status, log } = await page({ label: 'Sam', answers: 'voicemail' }, { Timeout: '20', MachineDetection: 'Enable' });
    expect(agent[0]?.AnsweredBy).toBe('machine_start');
    expect(status).toMatchObject({ CallStatus: 'completed', AnsweredBy: 'machine_start' });
    // Detection only reports: a box the application does not hang up on records what it is told.
    expect(log.recorded).toEqual(['Press 1 to hear who is waiting.', 'Goodbye.']);
  });

  it('when MachineDetection is DetectMessageEnd, then a voicemail is reported as machine_end_beep', async () => {
    const { agent } = await page({ label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 10 }, { Timeout: '20', MachineDetection: 'DetectMessageEnd' });
    expect(agent[0]?.AnsweredBy).toBe('machine_end_beep');
  });

  it('when there is no detection, then the voicemail records everything said to it and presses nothing', async () => {
    const { agent, log } = await page({ label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 10 }, { Timeout: '20' });
    expect(agent[0]?.AnsweredBy).toBeUndefined();
    expect(log.recorded).toEqual(['Press 1 to hear who is waiting.', 'Goodbye.']);
    expect(log.recorded.join(' ')).not.toContain('Ada');
  });

  it.each(['busy', 'failed', 'canceled', 'no-answer'] as const)('when the phone is %s, then only the status callback says so', async (answers) => {
    const { agent, status } = await page({ label: 'Sam', answers }, { Timeout: '20' });
    expect(agent).toEqual([]);
    expect(status.CallStatus).toBe(answers);
  });

  it('when the person hangs up at the Gather, then the status callback still says completed', async () => {
    const { status, log } = await page({ label: 'Sam', keypad: scriptedKeypad([HANG_UP]) }, { Timeout: '20' });
    expect(status.CallStatus).toBe('completed');
    expect(log.heard).not.toContain('Ada Lovelace of Acme is waiting.');
  });
});
