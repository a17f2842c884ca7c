import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { eventKeys } from '../../src/events/event-keys.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createAgentCalls } from '../../src/oncall/agent-calls.js';
import { agentUrls } from '../../src/oncall/agent-urls.js';
import { createBusySysadmins } from '../../src/oncall/busy-sysadmins.js';
import { createOncallPins } from '../../src/oncall/oncall-pins.js';
import { createOncallStore } from '../../src/oncall/oncall-store.js';
import { createPhoneIn } from '../../src/oncall/phone-in.js';
import { createPhoneInCalls } from '../../src/oncall/phone-in-calls.js';
import { createSimulatedTwilio, scriptedKeypad, type SimulatedTwilio } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { eventually } from '../helpers/eventually.js';
import { logLines, logSink, rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';
import { BASE, givenWaitingCaller } from './oncall-helpers.js';

/**
 * A sysadmin phoning in, whole calls through the simulator. Caller ID is no credential (the
 * From Twilio passes on, https://www.twilio.com/docs/usage/webhooks/voice-webhooks, is what the
 * caller's network says), so a call from a rota number is only ever called back: once its status
 * callback comes, callgate places a call to the registered number through Calls.json
 * (https://www.twilio.com/docs/voice/api/call-resource: Url requested when answered, no
 * AnsweredBy without MachineDetection, StatusCallback when it ends) and asks the on-call PIN on
 * that call alone.
 */
const SAM = { id: 'sam', name: 'Sam', phone: '+447700900999' };
const SAM_PIN = '24681357';
const CALLING_BACK = 'Emergency support line. We will call you back on your registered phone now. Goodbye.';
const ASK_PIN = 'Emergency support line. Please enter your on-call PIN, followed by the hash key.';
const NOT_ACCEPTED = 'The on-call PIN was not accepted. Goodbye.';
const PIN_LOCKED = 'Too many wrong on-call PINs were entered for you. PIN entry is closed for now; an operator can set you a new on-call PIN. Goodbye.';
const WRONG = ['11111111', '22222222', '33333333', '44444444', '55555555', '66666666'];
for (const secret of [SAM_PIN, ...WRONG]) rememberSecret(secret);

const cleanups: (() => Promise<void>)[] = [];
const sims: SimulatedTwilio[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) expect(sim.errors()).toEqual([]);
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** callgate listening on a port, the REST stand-in, and a simulator whose phones callgate's calls ring. Sam on call, with his on-call PIN. */
async function givenLine() {
  const rest: TwilioRestApi = await startTwilioRestApi();
  const t: TestApp = await buildTestApp({ env: { TWILIO_API_URL: rest.url }, clock: testClock('2027-03-02T10:00:00Z') });
  const server: Server = createServer(t.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rest.close();
    await t.close();
  });
  const sim = createSimulatedTwilio({
    serviceUrls: [`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`],
    publicBaseUrl: t.config.publicBaseUrl,
    accountSid: t.config.twilio.accountSid,
    authToken: t.config.twilio.authToken,
    supportNumber: t.config.supportPhoneNumber,
    restApi: rest,
    speed: 50,
    print: () => undefined,
  });
  sims.push(sim);
  const ops = (method: 'get' | 'put', path: string) => request(t.app)[method](path).set('Authorization', `Bearer ${OPS_KEY}`);
  expect((await ops('put', '/v1/oncall').send([SAM])).status).toBe(200);
  expect((await ops('put', '/v1/oncall/sam/pin').send({ pin: SAM_PIN })).status).toBe(204);
  // Calls back only: a waiting caller's page rings the same phone (its Url is /twilio/agent).
  const callsBack = () => rest.calls.filter((call) => call.to === SAM.phone && call.url.includes('/twilio/agent-phone-in?'));

  return {
    t,
    rest,
    sim,
    callsBack,
    /** What Sam's registered phone heard on the calls callgate placed to it, oldest first. */
    heardOnSamsPhone: () => [...sim.phone(SAM.phone).heard],
    /**
     * A verified caller waits. Sam's phone is busy when paged for them, so he rests (the test clock
     * stands still: until he is on a call of his own) and is not paged again meanwhile.
     */
    async callerWaits(name: string) {
      sim.answerPages(SAM.phone, { label: 'Sam', answers: 'busy' });
      await givenWaitingCaller(t, { name });
      await eventually(() => {
        expect(rest.calls.some((call) => call.to === SAM.phone && call.url.includes('/twilio/agent?'))).toBe(true);
      });
      await sim.settled();
    },
    /** Sam's phone: who holds it, and what they type when it rings. */
    samsPhone: (script: Parameters<SimulatedTwilio['answerPages']>[1]) => sim.answerPages(SAM.phone, script),
    /** A call to the support line showing Sam's number (Sam, or anyone spoofing it), up to callgate's call back, if one is placed. */
    async callFromSamsNumber(label: string, expectCallBack = true) {
      const before = callsBack().length;
      const call = await sim.call({ from: SAM.phone, label, keypad: scriptedKeypad(WRONG.map((pin) => `${pin}#`)) });
      if (expectCallBack) {
        await eventually(() => {
          expect(callsBack()).toHaveLength(before + 1);
        });
      }
      await sim.settled();
      return call;
    },
    now: async () => (await ops('get', '/v1/ops/now').expect(200)).body as { sysadmins: { id: string; oncallPin?: unknown }[] },
  };
}

describe('a call from a rota number', () => {
  it('when a caller spoofs a sysadmin’s number, then they hear only that callgate calls back, never the PIN prompt, and the sysadmin’s registered phone rings instead', async () => {
    const line = await givenLine();
    await line.callerWaits('Ken Thompson');
    line.samsPhone({ label: 'Sam', answers: 'no-answer' });

    const spoofer = await line.callFromSamsNumber('Spoofer');

    expect(spoofer.said).toEqual([CALLING_BACK]);
    expect(spoofer.ending).toBe('hangup');
    // Placed to the registered number, with its own webhook and status callback, no machine detection.
    expect(line.callsBack()).toEqual([
      expect.objectContaining({
        to: SAM.phone,
        url: `${BASE}/twilio/agent-phone-in?sysadmin=sam`,
        statusCallback: `${BASE}/twilio/agent-phone-in-status?sysadmin=sam`,
        machineDetection: undefined,
      }),
    ]);
    expect(line.heardOnSamsPhone()).toEqual([]);
  });

  it('when the real sysadmin answers the call back and types the on-call PIN, then they hear who is waiting', async () => {
    const line = await givenLine();
    await line.callerWaits('Ken Thompson');
    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad([`${SAM_PIN}#`]) });

    const sam = await line.callFromSamsNumber('Sam calling in');

    expect(sam.said).toEqual([CALLING_BACK]);
    const heard = line.heardOnSamsPhone();
    expect(heard.slice(0, 2)).toEqual([ASK_PIN, expect.stringMatching(/Ken Thompson/) as unknown]);
  });

  it('when a second call comes from the number while the call back rings, then it hears the same, nobody is rung twice, and the sysadmin answering the one call gets in', async () => {
    const line = await givenLine();
    await line.callerWaits('Ken Thompson');
    // Sam answers late: the spoofer's second call comes while his phone still rings.
    line.samsPhone({ label: 'Sam', ringSeconds: 18, keypad: scriptedKeypad([`${SAM_PIN}#`]) });

    const first = line.sim.call({ from: SAM.phone, label: 'Spoofer', keypad: scriptedKeypad([]) });
    await eventually(() => {
      expect(line.callsBack()).toHaveLength(1);
    });
    const second = await line.callFromSamsNumber('Spoofer again', false);
    await first;
    await line.sim.settled();

    expect(second.said).toEqual([CALLING_BACK]);
    expect(line.callsBack()).toHaveLength(1);
    expect(line.heardOnSamsPhone().slice(0, 2)).toEqual([ASK_PIN, expect.stringMatching(/Ken Thompson/) as unknown]);
  });
});

describe('a sysadmin who phoned in is free again however the call ends', () => {
  // The call back's status callback is one request, not retried
  // (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): lost, it must not keep
  // a one-person rota off the line for hours.
  it('when Sam hears "Nobody is waiting. Goodbye" and the call back\'s status callback is lost, then he is paged for the next caller within a minute', async () => {
    const line = await givenLine();
    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad([`${SAM_PIN}#`]), statusCallback: { drop: true } });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone().at(-1)).toBe('Nobody is waiting for support right now. Goodbye.');

    line.samsPhone({ label: 'Sam', answers: 'no-answer' });
    const pages = () => line.rest.calls.filter((call) => call.to === SAM.phone && call.url.includes('/twilio/agent?'));
    const { call } = await givenWaitingCaller(line.t, { name: 'Ken Thompson' });
    await line.t.pager.tick();
    expect(pages()).toEqual([]);
    line.t.clock.advance(61_000);
    await call.wait(1, 61);
    await line.t.pager.tick();
    expect(pages()).toHaveLength(1);
  });
});

describe('the on-call PIN on the call back', () => {
  it('when the sysadmin gets it right after two wrong, then the two still count: three more wrong close PIN entry, and the right PIN is refused', async () => {
    const line = await givenLine();
    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad([`${WRONG[0] ?? ''}#`, `${WRONG[1] ?? ''}#`, `${SAM_PIN}#`]) });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone().at(-1)).toBe('Nobody is waiting for support right now. Goodbye.');

    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad(WRONG.slice(2, 5).map((pin) => `${pin}#`)) });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone().at(-1)).toBe(PIN_LOCKED);

    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad([`${SAM_PIN}#`]) });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone().at(-1)).toBe(PIN_LOCKED);
  });

  it('when calls spoofing the sysadmin’s number come again and again, then none of them costs a PIN failure, and the real sysadmin still gets in', async () => {
    const line = await givenLine();
    // Sam sleeps through the calls back the spoofer sets off.
    line.samsPhone({ label: 'Sam', answers: 'no-answer' });
    for (let i = 0; i < 6; i += 1) expect((await line.callFromSamsNumber('Spoofer')).said).toEqual([CALLING_BACK]);
    expect(line.callsBack()).toHaveLength(6);
    expect(line.heardOnSamsPhone()).toEqual([]);
    expect((await line.now()).sysadmins[0]?.oncallPin).toMatchObject({ failures: 0, alarm: false, locked: false });

    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad([`${SAM_PIN}#`]) });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone()).toEqual([ASK_PIN, 'Nobody is waiting for support right now. Goodbye.']);
  });

  it('when wrong PINs are typed on the call back, then from the second one each raises an event, the metric and the console alarm, and no line holds the digits', async () => {
    const line = await givenLine();
    const logged = logLines.length;
    // Someone holding Sam's phone is guessing.
    line.samsPhone({ label: 'Sam', keypad: scriptedKeypad(WRONG.slice(0, 3).map((pin) => `${pin}#`)) });
    await line.callFromSamsNumber('Sam calling in');
    expect(line.heardOnSamsPhone().at(-1)).toBe(NOT_ACCEPTED);

    const events = (await line.t.redis.xrange(eventKeys.outbox, '-', '+')).map(([, fields]) => JSON.parse(fields[5] ?? '{}') as { type: string; data: unknown });
    expect(events.filter((event) => event.type === 'oncall_pin.failures').map((event) => event.data)).toEqual([
      { sysadminId: 'sam', failures: 2, since: '2027-03-02T10:00:00.000Z', windowHours: 24, locked: false },
      { sysadminId: 'sam', failures: 3, since: '2027-03-02T10:00:00.000Z', windowHours: 24, locked: false },
    ]);
    const metrics = (await request(line.t.internal).get('/metrics')).text;
    expect(metrics).toContain('callgate_oncall_pin_failures_total{burst="no"} 1');
    expect(metrics).toContain('callgate_oncall_pin_failures_total{burst="yes"} 2');
    expect((await line.now()).sysadmins[0]?.oncallPin).toEqual({ failures: 3, windowHours: 24, alarm: true, locked: false });
    const lines = logLines.slice(logged);
    expect(lines.filter((text) => text.includes('on-call PIN failure burst') && text.includes('"sysadminId":"sam"'))).toHaveLength(2);
    for (const text of lines) for (const pin of WRONG) expect(text).not.toContain(pin);
  });
});

describe('a call back and a page racing for one sysadmin', () => {
  /** The phone-in alone, its calls placed into `placed`, its warnings into the file's log lines. */
  function phoneInOf(t: TestApp, busy: ReturnType<typeof createBusySysadmins>, placed: string[]) {
    return createPhoneIn({
      calls: createPhoneInCalls(t.redis),
      dialer: {
        placeCall: (call) => {
          placed.push(call.to);
          return Promise.resolve(`CA${'b'.repeat(32)}`);
        },
      },
      urls: agentUrls(t.config.publicBaseUrl),
      ringSeconds: 15,
      metrics: createMetrics(),
      agentCalls: createAgentCalls(t.redis),
      busy,
      oncall: createOncallStore(t.redis),
      oncallPins: createOncallPins(t.redis, t.config.pinSecret),
      clock: t.clock,
      log: createLogger({ level: 'warn', destination: logSink }),
      missedOrBrief: () => Promise.resolve({ kind: 'agent_goodbye' }),
      outcomes: { callEnded: () => Promise.resolve() },
    });
  }

  it('when a page claims a resting sysadmin as their call back is decided, then only one rings them', async () => {
    const t = await buildTestApp({ clock: testClock('2027-03-02T10:00:00Z') });
    cleanups.push(() => t.close());
    const now = t.clock.now();
    const oncall = createOncallStore(t.redis);
    await oncall.replace([SAM]);
    const busy = createBusySysadmins(t.redis);
    // Sam declined a page a ring time ago: his rest runs out in a second.
    await busy.set('sam', { kind: 'resting', callSid: 'rest:CA1', until: now + 1000 });
    // Another instance's pager, its tick a second later, claims Sam once the phone-in has read who is
    // busy (or after the phone-in, if it never reads that).
    let paged: boolean | undefined;
    const page = async () => {
      paged ??= await busy.claim('sam', { kind: 'ringing', callSid: 'claim:page', until: now + 60_000 }, now + 1000);
    };
    const placed: string[] = [];
    const phoneIn = phoneInOf(t, { ...busy, all: (at: number) => busy.all(at).finally(page) }, placed);

    await phoneIn.phonedIn('sam', 'CAinbound', undefined);
    await phoneIn.rotaCallEnded('CAinbound');
    await eventually(() => {
      expect(placed).toEqual([SAM.phone]);
    });
    await page();
    // The call back rings Sam, so the page may not: his busy entry is the call back's.
    expect(paged).toBe(false);
    expect((await busy.all(now)).get('sam')).toMatchObject({ kind: 'ringing', callSid: `CA${'b'.repeat(32)}` });
  });

  it('when a call comes from the number of a sysadmin whose page is ringing, then they are not called back and the page keeps them', async () => {
    const t = await buildTestApp({ clock: testClock('2027-03-02T10:00:00Z') });
    cleanups.push(() => t.close());
    const now = t.clock.now();
    await createOncallStore(t.redis).replace([SAM]);
    const busy = createBusySysadmins(t.redis);
    await busy.set('sam', { kind: 'ringing', callSid: 'CApage', until: now + 60_000 });
    const placed: string[] = [];
    const phoneIn = phoneInOf(t, busy, placed);

    await phoneIn.phonedIn('sam', 'CAspoofed', undefined);
    await phoneIn.rotaCallEnded('CAspoofed');
    await eventually(() => {
      expect(logLines.some((line) => line.includes('while their phone is busy with callgate: not called back'))).toBe(true);
    });
    expect(placed).toEqual([]);
    expect((await busy.all(now)).get('sam')).toMatchObject({ kind: 'ringing', callSid: 'CApage' });
  });
});
