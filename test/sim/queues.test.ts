import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// Twilio's documents these tests copy:
// https://www.twilio.com/docs/voice/twiml/enqueue (queue on demand, ≤ 64 chars, waitUrl params, action QueueResult)
// https://www.twilio.com/docs/voice/twiml/queue ("the first enqueued call"; empty queue waits; unknown queue → error status; url runs on the dequeued caller)
// https://www.twilio.com/docs/voice/twiml/dial (timeout, action with DialCallStatus, DialCallSid, DialCallDuration)

const SYSADMIN = '+447700900999';
const silent = scriptedKeypad([]);
let app: TwimlServer;
afterEach(async () => {
  await app.close();
});

function supportLine(extra: Record<string, string> = {}) {
  return serveTwiml({
    '/voice': (p) =>
      p.From === SYSADMIN
        ? twiml(`<Say>Connecting you</Say><Dial timeout="10" action="/dialed"><Queue url="/bridge">${extra.dialQueue ?? 'support'}</Queue></Dial>`)
        : twiml(`${p.From === '+1' ? `<Say>${'Thank you for calling. '.repeat(12)}</Say>` : ''}<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue>`),
    '/wait': extra.wait ?? twiml('<Say>Please hold</Say><Pause length="5"/>'),
    '/bridge': twiml('<Say>An engineer is taking your call now.</Say>'),
    '/dialed': twiml('<Say>Nobody is waiting.</Say>'),
    '/queue-result': twiml('<Say>Goodbye.</Say>'),
    '/status': '',
  });
}

describe('call queues, as Twilio runs them', () => {
  it('when two callers wait, then <Dial><Queue> connects the one whose <Enqueue> ran first, and the <Queue url> plays to that caller', async () => {
    app = await supportLine();
    const { sim } = simFor(app);
    const first = sim.call({ from: '+1', label: 'A (long prompt)', keypad: silent, hangUpAfterQueueSeconds: 60 });
    const second = sim.call({ from: '+2', label: 'B', keypad: silent });
    await until(() => sim.queues.byName('support')?.members.length === 2);
    const sysadmin = await sim.call({ from: SYSADMIN, label: 'Sam', keypad: silent, talkSeconds: 10 });
    const b = await second;

    const [bridge] = app.to('/bridge');
    expect(bridge?.params).toMatchObject({ CallSid: b.callSid, DequeingCallSid: sysadmin.callSid });
    expect(bridge?.params.QueueSid).toMatch(/^QU/);
    expect(b.said).toContain('An engineer is taking your call now.');
    expect(sysadmin.said).not.toContain('An engineer is taking your call now.');
    const dialed = app.to('/dialed')[0]?.params;
    expect(dialed).toMatchObject({ DialCallStatus: 'completed', DialCallSid: b.callSid });
    expect(Math.abs(Number(dialed?.DialCallDuration) - 10)).toBeLessThanOrEqual(1); // the 10 s Sam talked
    // After a bridge the action's TwiML is not run: the sysadmin never hears "Nobody is waiting".
    expect(sysadmin.said).not.toContain('Nobody is waiting.');
    expect(b.ending).toBe('bridged');
    expect(app.to('/queue-result').find((r) => r.params.CallSid === b.callSid)?.params).toMatchObject({ QueueResult: 'bridged', QueueSid: bridge?.params.QueueSid });

    const a = await first;
    expect(a.ending).toBe('abandoned');
    expect(app.to('/queue-result').find((r) => r.params.CallSid === a.callSid)?.params.QueueResult).toBe('hangup');
    expect(sim.errors()).toEqual([]);
  });

  it('when the wait document ends, then it is fetched again with the queue parameters, and QueueTime counts the hold music', async () => {
    app = await supportLine({ wait: twiml('<Play>https://example.com/hold.mp3</Play>') });
    const { sim } = simFor(app, { mediaSeconds: { 'https://example.com/hold.mp3': 40 } });
    await sim.call({ from: '+2', label: 'B', keypad: silent, hangUpAfterQueueSeconds: 90 });

    const waits = app.to('/wait').map((r) => r.params);
    expect(waits).toHaveLength(3); // at 0, 40 and 80 s
    expect(waits[0]).toMatchObject({ QueuePosition: '1', CurrentQueueSize: '1', AvgQueueTime: '0', QueueTime: '0' });
    expect(waits[0]?.QueueSid).toMatch(/^QU/);
    expect(Number(waits[1]?.QueueTime)).toBeGreaterThanOrEqual(40);
    expect(Number(waits[2]?.QueueTime)).toBeGreaterThanOrEqual(80);
  });

  // The page's QueueResult 'error': "The TwiML contained an error... in the TwiML retrieved from a waitUrl".
  it('when the wait document is TwiML Twilio rejects, then the caller leaves the queue, the action gets QueueResult=error and its TwiML runs', async () => {
    app = await supportLine({ wait: twiml('<Sing>Hold on</Sing>') });
    const { sim } = simFor(app);
    const call = await sim.call({ from: '+2', label: 'B', keypad: silent });
    expect(app.to('/queue-result')[0]?.params.QueueResult).toBe('error');
    expect(call.said.at(-1)).toBe('Goodbye.');
    expect(sim.errors().map((e) => e.code)).toEqual([12100]);
    expect(sim.queues.byName('support')?.members).toEqual([]);
  });

  it('when the wait document says <Leave/>, then the action is requested right away with QueueResult=leave and its TwiML runs', async () => {
    app = await supportLine({ wait: twiml('<Leave/>') });
    const { sim } = simFor(app);
    const call = await sim.call({ from: '+2', label: 'B', keypad: silent });
    expect(app.to('/queue-result')[0]?.params.QueueResult).toBe('leave');
    expect(Number(app.to('/queue-result')[0]?.params.QueueTime)).toBeLessThanOrEqual(2);
    expect(call.said.at(-1)).toBe('Goodbye.');
    expect(call.ending).toBe('left-queue');
    // The queue stays behind, empty, until someone deletes it.
    expect(sim.queues.byName('support')?.members).toEqual([]);
  });

  it('when the queue is empty, then Dial waits for the next caller to join and connects them', async () => {
    app = await supportLine({ wait: twiml('<Pause length="10"/>') });
    const { sim } = simFor(app);
    sim.queues.open('support');
    const sysadmin = sim.call({ from: SYSADMIN, label: 'Sam', keypad: silent, talkSeconds: 5 });
    await until(() => app.to('/voice').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a few virtual seconds later
    const caller = await sim.call({ from: '+2', label: 'B', keypad: silent });
    await sysadmin;
    expect(caller.ending).toBe('bridged');
    expect(app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });

  it('when the queue stays empty, then after timeout (+5 s) the action gets DialCallStatus=no-answer and its TwiML runs', async () => {
    app = await supportLine();
    const { sim } = simFor(app);
    sim.queues.open('support');
    const sysadmin = await sim.call({ from: SYSADMIN, label: 'Sam', keypad: silent });
    expect(app.to('/dialed')[0]?.params.DialCallStatus).toBe('no-answer');
    expect(sysadmin.said.at(-1)).toBe('Nobody is waiting.');
    const duration = Number(app.to('/status')[0]?.params.CallDuration);
    expect(duration).toBeGreaterThanOrEqual(15);
    expect(duration).toBeLessThan(25); // 10 s + 5 s, the prompts, and HTTP time
  });

  it('when the queue does not exist, then Dial posts an error status (DialCallStatus=failed) to its action at once', async () => {
    app = await supportLine({ dialQueue: 'nobody-made-this' });
    const { sim } = simFor(app);
    const sysadmin = await sim.call({ from: SYSADMIN, label: 'Sam', keypad: silent });
    expect(app.to('/dialed')[0]?.params.DialCallStatus).toBe('failed');
    expect(sysadmin.said.at(-1)).toBe('Nobody is waiting.');
  });

  it('when the sysadmin hangs up while hearing "Connecting you", then nobody is dequeued and the caller keeps waiting', async () => {
    app = await supportLine();
    const { sim } = simFor(app);
    const caller = sim.call({ from: '+2', label: 'B', keypad: silent, hangUpAfterQueueSeconds: 30 });
    await until(() => sim.queues.byName('support')?.members.length === 1);
    const sysadmin = await sim.call({ from: SYSADMIN, label: 'Sam', keypad: silent, hangUpWhenHearing: /Connecting you/ });
    expect(sysadmin.ending).toBe('caller-hung-up');
    expect(app.to('/bridge')).toEqual([]);
    expect(app.to('/status').find((r) => r.params.CallSid === sysadmin.callSid)?.params.CallStatus).toBe('completed');
    expect((await caller).ending).toBe('abandoned');
  });
});
