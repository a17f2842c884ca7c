import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ALL_PERMISSIONS, api, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestApp, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';
import { newCallSid, placeCall, signedWebhooks, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const rest = await startTwilioRestApi();
const BASE = 'https://callgate.example.com';
const RING_MS = 25_000;
const ALICE = { id: 'alice', name: 'Alice', phone: '+447700900201' };
const BOB = { id: 'bob', name: 'Bob', phone: '+447700900202' };

let t: TestApp;
const apps: TestApp[] = [];
async function newApp(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const app = await buildTestApp({ env: { TWILIO_API_URL: rest.url }, ...options });
  apps.push(app);
  return app;
}
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

beforeEach(async () => {
  rest.calls.length = 0;
  t = await newApp({ clock: testClock('2027-03-02T10:00:00Z') });
  const res = await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([ALICE, BOB]);
  expect(res.status).toBe(200);
});

async function givenWaitingCaller(app: TestApp, options: { sla?: string; admin?: boolean; name?: string } = {}) {
  const accountId = await givenAccount(app.app, { sla: options.sla ?? 'standard' });
  const adminId = await givenUser(app.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'], name: 'Margaret Hamilton' });
  const userId = options.admin === true ? adminId : await givenUser(app.app, accountId, { name: options.name ?? 'Ken Thompson' });
  const pin = await givenPin(app.app, accountId, userId);
  const call = placeCall(app.app, app.config);
  await call.voice();
  expect(twimlOf(await call.pin(pin))).toContain('<Enqueue');
  const waiting = createWaitingCallers(app.redis);
  await eventually(async () => {
    expect((await waiting.all()).map((c) => c.callSid)).toContain(call.callSid);
  });
  return { accountId, userId, call };
}

/** The sysadmin's phone, answering the page with CallSid `pageSid`. */
function sysadminPhone(app: TestApp, sysadminId: string, pageSid: string) {
  const post = signedWebhooks(app.app, app.config);
  return {
    answer: () => post(`/twilio/agent?sysadmin=${sysadminId}`, { CallSid: pageSid, To: '+447700900201', CallStatus: 'in-progress' }),
    press: (digits: string, about: string) =>
      post(`/twilio/agent-answer?sysadmin=${sysadminId}&about=${about}`, { CallSid: pageSid, Digits: digits }),
    ended: (callStatus: string) => post(`/twilio/agent-status?sysadmin=${sysadminId}`, { CallSid: pageSid, CallStatus: callStatus }),
  };
}

describe('paging the on-call list', () => {
  it('when a caller is enqueued, then the first sysadmin is called through the REST API as the SPEC says', async () => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    expect(rest.calls).toEqual([
      expect.objectContaining({
        to: ALICE.phone,
        from: '+442071234567',
        url: `${BASE}/twilio/agent?sysadmin=alice`,
        method: 'POST',
        statusCallback: `${BASE}/twilio/agent-status?sysadmin=alice`,
        timeout: 25,
        auth: `${t.config.twilio.accountSid}:${t.config.twilio.authToken}`,
      }),
    ]);
  });

  it('when nobody accepts within the ring time, then the next sysadmin, then round again', async () => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone]);

    t.clock.advance(RING_MS - 1);
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone]);
    t.clock.advance(1);
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone]);
    t.clock.advance(RING_MS);
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone, ALICE.phone]);
  });

  it('when the REST API answers 500 for the first sysadmin, then the next is paged at once', async () => {
    rest.behave('fail');
    await givenWaitingCaller(t);
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([BOB.phone]);
  });

  it('when the REST API does not answer in time, then the next is paged', async () => {
    rest.behave('hang');
    await givenWaitingCaller(t);
    await eventually(() => {
      expect(rest.calls.map((c) => c.to)).toEqual([BOB.phone]);
    }, 8000);
  });

  it('when the queue is empty, then nobody is paged', async () => {
    await t.pager.tick();
    expect(rest.calls).toEqual([]);
  });

  it("when the caller's tier closes while they wait, then nobody more is paged", async () => {
    t.clock.set('2027-03-02T17:29:00Z');
    await givenWaitingCaller(t, { sla: 'standard' });
    await t.pager.tick();
    expect(rest.calls).toHaveLength(1);
    t.clock.set('2027-03-02T17:31:00Z');
    await t.pager.tick();
    expect(rest.calls).toHaveLength(1);
  });

  it('when two instances share one Redis and each enqueues a caller, then each caller is paged exactly once', async () => {
    const other = await newApp({ prefix: t.prefix, clock: t.clock });
    await Promise.all([givenWaitingCaller(t), givenWaitingCaller(other)]);
    await Promise.all([t.pager.tick(), other.pager.tick(), t.pager.tick(), other.pager.tick()]);
    expect(rest.calls.map((c) => c.to).sort()).toEqual([ALICE.phone, BOB.phone]);
    const pages = (await createWaitingCallers(t.redis).all()).map((c) => c.page?.sysadminId).sort();
    expect(pages).toEqual(['alice', 'bob']);
  });
});

describe('the sysadmin who answers', () => {
  it('when the caller is not the admin contact, then the briefing names the admin contact, and 1 bridges them', async () => {
    const { call, accountId } = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    await t.pager.tick();
    const page = rest.calls[0];
    const phone = sysadminPhone(t, 'alice', page?.sid ?? '');

    const briefing = twimlOf(await phone.answer());
    expect(spoken(briefing)).toEqual([
      `Emergency support call for Account ${accountId}. The caller is Ken Thompson, not the admin contact; the admin contact is Margaret Hamilton. ` +
        'Their plan is Standard. They have waited less than a minute. Nobody else is waiting.',
      'Press 1 to take the call.',
    ]);
    expect(briefing).toContain(`action="${BASE}/twilio/agent-answer?sysadmin=alice&amp;about=${call.callSid}"`);

    const accepted = twimlOf(await phone.press('1', call.callSid));
    expect(accepted).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Amy" language="en-GB">Connecting you to the caller now.</Say>' +
        `<Dial><Queue url="${BASE}/twilio/bridge?sysadmin=alice" method="POST">callgate-standard</Queue></Dial></Response>`,
    );

    // Twilio requests the <Queue> url for the queued caller just before the bridge.
    const bridged = twimlOf(await signedWebhooks(t.app, t.config)('/twilio/bridge?sysadmin=alice', { CallSid: call.callSid }));
    expect(spoken(bridged)).toEqual(['An engineer is taking your call now.']);
    await call.queueResult('bridged', 30);
    await call.status('completed', 300);
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({
      calls: [expect.objectContaining({ callSid: call.callSid, outcome: 'connected', sysadminId: 'alice', durationSeconds: 300 })],
    });
  });

  it('when the caller is the admin contact, then the briefing says so', async () => {
    await givenWaitingCaller(t, { admin: true });
    await t.pager.tick();
    const briefing = spoken(twimlOf(await sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '').answer()));
    expect(briefing[0]).toContain('The caller is Margaret Hamilton, the admin contact of the account.');
  });

  it.each([
    ['2', 'pressed_other_key'],
    ['', 'no_input'],
  ])('when the sysadmin presses "%s", then goodbye, and the next sysadmin is paged', async (digits, reason) => {
    const { call } = await givenWaitingCaller(t);
    await t.pager.tick();
    const phone = sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '');
    await phone.answer();
    const answer = twimlOf(await phone.press(digits, call.callSid));
    expect(spoken(answer)).toEqual(['The call was not taken. Goodbye.']);
    expect(answer).toContain('<Hangup/>');
    await eventually(() => {
      expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone]);
    });
    const events = (await t.redis.xrange('callgate:{audit}:events', '-', '+')).map(([, f]) => JSON.parse(f[1] ?? '{}') as { type: string; reason?: string });
    expect(events).toContainEqual(expect.objectContaining({ type: 'declined', reason }));
  });

  it('when every sysadmin declines, then nobody is paged again until they have rested a ring time', async () => {
    const { call } = await givenWaitingCaller(t);
    await t.pager.tick();
    const alice = sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '');
    await alice.answer();
    await alice.press('2', call.callSid);
    await eventually(() => {
      expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone]);
    });
    const bob = sysadminPhone(t, 'bob', rest.calls[1]?.sid ?? '');
    await bob.answer();
    await bob.press('2', call.callSid);
    await t.pager.tick();
    expect(rest.calls).toHaveLength(2);

    t.clock.advance(RING_MS);
    await t.pager.tick();
    expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone, ALICE.phone]);
  });

  it('when a page goes unanswered (no-answer), then the next sysadmin is paged without waiting for the ring time', async () => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    await sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '').ended('no-answer');
    await eventually(() => {
      expect(rest.calls.map((c) => c.to)).toEqual([ALICE.phone, BOB.phone]);
    });
  });

  it('when callers of two tiers wait, then the higher tier is briefed and bridged first', async () => {
    await givenWaitingCaller(t, { sla: 'standard', name: 'Standard Sam' });
    const managed = await givenWaitingCaller(t, { sla: 'managed_platform', name: 'Managed Mo' });
    await t.pager.tick();
    const phone = sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '');
    const briefing = spoken(twimlOf(await phone.answer()));
    expect(briefing[0]).toContain('The caller is Managed Mo');
    expect(briefing[0]).toContain('One other caller is waiting.');
    expect(twimlOf(await phone.press('1', managed.call.callSid))).toContain('>callgate-managed_platform</Queue>');
  });

  it('when two sysadmins press 1 at the same moment, then they take different callers', async () => {
    await givenWaitingCaller(t, { sla: 'standard', name: 'Standard Sam' });
    const managed = await givenWaitingCaller(t, { sla: 'managed_platform', name: 'Managed Mo' });
    await t.pager.tick();
    const [first, second] = rest.calls;
    const alice = sysadminPhone(t, first?.to === ALICE.phone ? 'alice' : 'bob', first?.sid ?? '');
    const bob = sysadminPhone(t, second?.to === BOB.phone ? 'bob' : 'alice', second?.sid ?? '');
    await Promise.all([alice.answer(), bob.answer()]);

    const answers = await Promise.all([alice.press('1', managed.call.callSid), bob.press('1', managed.call.callSid)]);
    const queues = answers.map((res) => /<Queue[^>]*>([^<]+)<\/Queue>/.exec(twimlOf(res))?.[1]).sort();
    expect(queues).toEqual(['callgate-managed_platform', 'callgate-standard']);
  });

  it('when a higher-tier caller arrives between briefing and 1, then the sysadmin hears the new caller before the bridge', async () => {
    const first = await givenWaitingCaller(t, { sla: 'standard', name: 'Standard Sam' });
    await t.pager.tick();
    const phone = sysadminPhone(t, 'alice', rest.calls[0]?.sid ?? '');
    await phone.answer();
    await givenWaitingCaller(t, { sla: 'managed_platform', name: 'Managed Mo' });
    const accepted = twimlOf(await phone.press('1', first.call.callSid));
    expect(spoken(accepted)[0]).toBe('The caller at the front of the queue has changed.');
    expect(spoken(accepted)[1]).toContain('The caller is Managed Mo');
    expect(accepted).toContain('>callgate-managed_platform</Queue>');
  });

  it('when a sysadmin phones the support number from their registered phone, then they are briefed instead of asked for a PIN', async () => {
    await givenWaitingCaller(t);
    const res = await signedWebhooks(t.app, t.config)('/twilio/voice', { CallSid: newCallSid(), From: BOB.phone });
    const xml = twimlOf(res);
    expect(spoken(xml)[0]).toMatch(/^Emergency support call for/);
    expect(xml).toContain('/twilio/agent-answer?sysadmin=bob');
  });

  it('when a sysadmin phones in and nobody waits, then they are told so', async () => {
    const res = await signedWebhooks(t.app, t.config)('/twilio/voice', { CallSid: newCallSid(), From: ALICE.phone });
    expect(spoken(twimlOf(res))).toEqual(['Thank you. Nobody is waiting for support right now. Goodbye.']);
  });
});
