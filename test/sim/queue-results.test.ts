import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad, type CallOptions, type TranscriptLine } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// Every QueueResult https://www.twilio.com/docs/voice/twiml/enqueue lists: bridged, bridging-in-process, error, hangup,
// leave, redirected, redirected-from-bridged, queue-full, system-error. The action is requested "right away" when the
// call leaves by <Leave> or "a REST API request", and QueueSid and QueueTime are sent "only if the call was actually
// enqueued". A queue's MaxSize is set through https://www.twilio.com/docs/voice/api/queue-resource; a call is
// redirected through https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource.
// system-error and bridging-in-process are only named by the page: the simulator injects them (CallOptions.queueFault).

const SAM = '+447700900999';
const silent = scriptedKeypad([]);
let app: TwimlServer;
let rest: TwilioRestApi;
afterEach(async () => {
  await app.close();
  await rest.close();
});

async function givenLine(wait = '<Pause length="5"/>') {
  rest = await startTwilioRestApi();
  app = await serveTwiml({
    '/voice': (p) =>
      p.From === SAM
        ? twiml('<Dial timeout="10" action="/dialed"><Queue url="/bridge">support</Queue></Dial>')
        : twiml('<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue><Say>Never reached.</Say>'),
    '/wait': twiml(wait),
    '/bridge': twiml('<Say>An engineer is taking your call now.</Say>'),
    '/dialed': (p) => twiml(`<Say>Dial action: bridged ${p.DialBridged ?? 'unsent'}.</Say>`),
    '/queue-result': (p) => twiml(`<Say>Enqueue action: ${p.QueueResult ?? ''}.</Say>`),
    '/elsewhere': twiml('<Say>Redirected here.</Say>'),
    '/status': '',
  });
  const transcript: TranscriptLine[] = [];
  const { sim } = simFor(app, { restApi: rest, print: (line) => transcript.push(line) });
  const api = (path: string, form: Record<string, string>) =>
    fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}${path}`, { method: 'POST', body: new URLSearchParams(form) });
  const caller = (options: Partial<CallOptions> = {}) => sim.call({ from: '+2', label: 'Ada', keypad: silent, ...options });
  const queued = async (count = 1) => {
    await until(() => sim.queues.byName('support')?.members.length === count);
    return sim.queues.byName('support')?.members[count - 1]?.callSid ?? '';
  };
  return { sim, transcript, api, caller, queued };
}

const result = () => app.to('/queue-result')[0]?.params;

describe('every QueueResult of the Enqueue page', () => {
  it('queue-full: when the queue already holds MaxSize calls, then the next <Enqueue> is refused at once, without QueueSid, and its action\'s TwiML runs', async () => {
    const line = await givenLine();
    const queue = line.sim.queues.open('support');
    const set = await line.api(`/Queues/${queue.sid}.json`, { MaxSize: '1' });
    expect(await set.json()).toMatchObject({ sid: queue.sid, max_size: 1 });
    const first = line.caller({ hangUpAfterQueueSeconds: 30 });
    await line.queued();
    const second = await line.sim.call({ from: '+3', label: 'Bob', keypad: silent });
    expect(app.to('/queue-result').find((r) => r.params.CallSid === second.callSid)?.params).toEqual(expect.objectContaining({ QueueResult: 'queue-full' }));
    expect(app.to('/queue-result').find((r) => r.params.CallSid === second.callSid)?.params.QueueSid).toBeUndefined();
    expect(second.said.at(-1)).toBe('Enqueue action: queue-full.');
    expect(app.to('/wait').map((r) => r.params.MaxQueueSize)).toContain('1');
    await first;
  });

  it('redirected: when a REST Call update gives a waiting call a new Url, then the action is requested at once (QueueResult=redirected) and the call runs the new Url', async () => {
    const line = await givenLine();
    const waiting = line.caller();
    const sid = await line.queued();
    const res = await line.api(`/Calls/${sid}.json`, { Url: `${app.url}/elsewhere` });
    expect(res.status).toBe(200);
    const call = await waiting;
    expect(result()).toMatchObject({ QueueResult: 'redirected', CallStatus: 'in-progress' });
    expect(result()?.QueueSid).toMatch(/^QU/);
    expect(call.said.at(-1)).toBe('Redirected here.');
    expect(call.said).not.toContain('Enqueue action: redirected.');
    expect(line.sim.queues.byName('support')?.members).toEqual([]);
    expect(line.transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(leaves queue support: QueueResult=redirected, still on the line)' });
  });

  it('redirected-from-bridged: when a call bridged out of the queue is redirected, then its action gets redirected-from-bridged, it runs the new Url, and the sysadmin\'s Dial action runs on', async () => {
    const line = await givenLine();
    const waiting = line.caller({ talkSeconds: 120 });
    const sid = await line.queued();
    const sysadmin = line.sim.call({ from: SAM, label: 'Sam', keypad: silent, talkSeconds: 120 });
    await until(() => line.transcript.some((l) => l.call === 'Sam' && l.text === '(connected with Ada)'));
    expect((await line.api(`/Calls/${sid}.json`, { Url: `${app.url}/elsewhere` })).status).toBe(200);
    const [call, sam] = await Promise.all([waiting, sysadmin]);
    expect(result()?.QueueResult).toBe('redirected-from-bridged');
    expect(call.said.at(-1)).toBe('Redirected here.');
    expect(call.ending).toBe('bridged');
    expect(app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true', CallStatus: 'in-progress' });
    expect(sam.said.at(-1)).toBe('Dial action: bridged true.');
  });

  it.each([
    ['hangup', 'the caller hangs up while waiting', { hangUpAfterQueueSeconds: 8 }, '<Pause length="5"/>', false],
    ['leave', 'the wait document says <Leave/>', {}, '<Leave/>', true],
    ['error', 'the wait document is TwiML Twilio rejects', {}, '<Sing>la</Sing>', true],
  ] as const)('%s: when %s, then the action gets it (and its TwiML runs if the caller is still there)', async (queueResult, _what, options, wait, stillThere) => {
    const line = await givenLine(wait);
    const call = await line.caller(options);
    expect(result()?.QueueResult).toBe(queueResult);
    expect(call.said.includes(`Enqueue action: ${queueResult}.`)).toBe(stillThere);
  });

  it('hangup: when a REST Call update with Status=completed ends the waiting call, then the action gets QueueResult=hangup', async () => {
    const line = await givenLine();
    const waiting = line.caller();
    const sid = await line.queued();
    expect((await line.api(`/Calls/${sid}.json`, { Status: 'completed' })).status).toBe(200);
    expect((await waiting).ending).toBe('abandoned');
    expect(result()).toMatchObject({ QueueResult: 'hangup', CallStatus: 'completed' });
  });

  it('bridged: when dequeued by <Dial><Queue>, then the action gets QueueResult=bridged once the conversation ends', async () => {
    const line = await givenLine();
    const waiting = line.caller({ talkSeconds: 60 });
    await line.queued();
    await line.sim.call({ from: SAM, label: 'Sam', keypad: silent, talkSeconds: 10 });
    expect((await waiting).said.at(-1)).toBe('Enqueue action: bridged.');
  });

  it('system-error (injected): when Twilio fails to enqueue the call, then the action is requested at once without QueueSid, and its TwiML runs', async () => {
    const line = await givenLine();
    const call = await line.caller({ queueFault: 'system-error' });
    expect(result()?.QueueResult).toBe('system-error');
    expect(result()?.QueueSid).toBeUndefined();
    expect(call.said.at(-1)).toBe('Enqueue action: system-error.');
    expect(app.to('/wait')).toEqual([]);
  });

  it('bridging-in-process (injected): when the dequeue\'s bridge never completes, then the caller goes on with the action\'s TwiML and the Dial ends with DialBridged=false', async () => {
    const line = await givenLine();
    const waiting = line.caller({ queueFault: 'bridging-in-process' });
    await line.queued();
    const sam = await line.sim.call({ from: SAM, label: 'Sam', keypad: silent });
    const call = await waiting;
    expect(call.said).toContain('An engineer is taking your call now.');
    expect(result()?.QueueResult).toBe('bridging-in-process');
    expect(call.said.at(-1)).toBe('Enqueue action: bridging-in-process.');
    expect(sam.said.at(-1)).toBe('Dial action: bridged false.');
  });
});

describe('the REST stand-in\'s Call update', () => {
  it('when the call is unknown, then 404 (20404); when a Url is sent for a call the simulator cannot redirect, then a 400 that says so', async () => {
    const line = await givenLine();
    expect((await line.api(`/Calls/CA${'0'.repeat(32)}.json`, { Status: 'completed' })).status).toBe(404);
    await app.close();
    app = await serveTwiml({ '/voice': twiml('<Pause length="20"/>'), '/status': '', '/elsewhere': twiml('<Say>Here.</Say>') });
    const { sim } = simFor(app, { restApi: rest });
    const call = sim.call({ from: '+2', label: 'Ada', keypad: silent });
    await until(() => app.to('/voice').length === 1);
    const sid = app.to('/voice')[0]?.params.CallSid ?? '';
    const refused = await fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}/Calls/${sid}.json`, { method: 'POST', body: new URLSearchParams({ Url: `${app.url}/elsewhere` }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/models a Call update only/);
    await call;
  });
});
