import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { eventually } from '../helpers/eventually.js';
import { twimlOf } from '../helpers/twilio-webhooks.js';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';
import { createMissedCallers } from '../../src/oncall/missed-callers.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { ALICE, BASE, BOB, givenWaitingCaller } from './oncall-helpers.js';

/**
 * The pager against the Twilio REST stand-in. Pages ring at most 20 s (policy default 15):
 * Twilio may add about 5 s (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource,
 * Timeout), and a mobile voicemail answers after about 25 s.
 */
const rest = await startTwilioRestApi();
// Ring 15 s + Twilio's 5 s + 5 s for the answered page's webhook: a page's window without news.
const PAGE_WINDOW_MS = 25_000;

let t: TestApp;
const apps: TestApp[] = [];
async function newApp(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const app = await buildTestApp({ ...options, env: { TWILIO_API_URL: rest.url, ...options.env } });
  apps.push(app);
  return app;
}
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

async function putRota(app: TestApp, rota: unknown[]) {
  const res = await request(app.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send(rota);
  expect(res.status).toBe(200);
}

beforeEach(async () => {
  rest.calls.length = 0;
  t = await newApp({ clock: testClock('2027-03-02T10:00:00Z') });
  await putRota(t, [ALICE, BOB]);
});

const rung = () => rest.calls.map((c) => c.to);

describe('paging the on-call list', () => {
  it('when a caller is held, then the first sysadmin is called through the REST API, ringing 15 s, without machine detection', async () => {
    const { call } = await givenWaitingCaller(t);
    await t.pager.tick();
    expect(rest.calls).toEqual([
      expect.objectContaining({
        to: ALICE.phone,
        from: '+442071234567',
        url: `${BASE}/twilio/agent?sysadmin=alice&caller=${call.callSid}`,
        method: 'POST',
        statusCallback: `${BASE}/twilio/agent-status?sysadmin=alice&caller=${call.callSid}`,
        timeout: 15,
        auth: `${t.config.twilio.accountSid}:${t.config.twilio.authToken}`,
      }),
    ]);
    // Detection takes a person's spoken greeting for a machine (https://www.twilio.com/docs/voice/answering-machine-detection).
    expect(rest.calls[0]?.machineDetection).toBeUndefined();
  });

  it('when PAGE_CALLER_ID is set, then pages come from that number', async () => {
    const other = await newApp({ env: { PAGE_CALLER_ID: '+442079999999' } });
    await putRota(other, [ALICE]);
    await givenWaitingCaller(other);
    await other.pager.tick();
    expect(rest.calls.at(-1)).toEqual(expect.objectContaining({ to: ALICE.phone, from: '+442079999999' }));
  });

  it('when nobody answers within the page window, then the next sysadmin, then round again', async () => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone]);
    t.clock.advance(PAGE_WINDOW_MS - 1);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone]);
    t.clock.advance(1);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone, BOB.phone]);
    t.clock.advance(PAGE_WINDOW_MS);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone, BOB.phone, ALICE.phone]);
  });

  it('when the REST API answers 500 for the first sysadmin, then the next is paged at once', async () => {
    rest.behave('fail');
    await givenWaitingCaller(t);
    await eventually(() => {
      expect(rung()).toEqual([BOB.phone]);
    });
  });

  it('when a page fails, the next is placed and rings out, and the first fails again, then the next is paged again and the caller still waits (a placed page starts the count afresh)', async () => {
    rest.behave('fail');
    const { call } = await givenWaitingCaller(t);
    await eventually(() => {
      expect(rung()).toEqual([BOB.phone]);
    });
    // Bob's page rings out unanswered; Alice's rest after her refused page is long over: her page fails again.
    rest.behave('fail');
    t.clock.advance(PAGE_WINDOW_MS);
    await t.pager.tick();
    expect(rung()).toEqual([BOB.phone, BOB.phone]);
    expect(twimlOf(await call.wait(1, 30))).not.toContain('<Leave/>');
  });

  it('when the REST API does not answer in time, then the next is paged, and the first is not rung again meanwhile', async () => {
    rest.behave('hang');
    await givenWaitingCaller(t);
    await eventually(() => {
      expect(rung()).toEqual([BOB.phone]);
    }, 8000);
    // Twilio may yet place the page that timed out: Alice stays busy for a ring.
    t.clock.advance(PAGE_WINDOW_MS);
    await t.pager.tick();
    expect(rung().filter((to) => to === ALICE.phone)).toHaveLength(0);
  });

  it('when the REST API is slower than callgate waits and two instances tick, then no phone is ever rung twice at once', async () => {
    // Twilio places the call but answers after 6 s: callgate gives up at 4 s, not knowing it rang.
    rest.behave('slow', 'slow', 'slow', 'slow');
    const other = await newApp({ prefix: t.prefix, clock: t.clock });
    await Promise.all([givenWaitingCaller(t), givenWaitingCaller(other)]);
    await Promise.all([t.pager.tick(), other.pager.tick()]);
    await Promise.all([t.pager.tick(), other.pager.tick()]);
    expect(rung().sort()).toEqual([ALICE.phone, BOB.phone]);
    // A ring later (the unanswered pages are over), each is rung once more, no sooner.
    t.clock.advance(PAGE_WINDOW_MS + 4_000);
    await Promise.all([t.pager.tick(), other.pager.tick()]);
    expect(rung().sort()).toEqual([ALICE.phone, ALICE.phone, BOB.phone, BOB.phone]);
  });

  it('when nobody waits, then nobody is paged', async () => {
    await t.pager.tick();
    expect(rest.calls).toEqual([]);
  });

  it("when the caller's plan closes while they wait, then nobody more is paged", async () => {
    t.clock.set('2027-03-02T17:29:00Z');
    await givenWaitingCaller(t, { sla: 'standard' });
    await t.pager.tick();
    expect(rest.calls).toHaveLength(1);
    t.clock.set('2027-03-02T17:31:00Z');
    await t.pager.tick();
    expect(rest.calls).toHaveLength(1);
  });

  it('when two instances tick together, then each caller is paged once and no phone rings twice', async () => {
    const other = await newApp({ prefix: t.prefix, clock: t.clock });
    await Promise.all([givenWaitingCaller(t), givenWaitingCaller(other), givenWaitingCaller(t)]);
    await Promise.all([t.pager.tick(), other.pager.tick(), t.pager.tick(), other.pager.tick()]);
    expect(rung().sort()).toEqual([ALICE.phone, BOB.phone]);
  });

  it('when a caller stops fetching the wait URL (their call ended unseen), then nobody more is paged for them', async () => {
    const quiet = await givenWaitingCaller(t);
    const heard = await givenWaitingCaller(t, { name: 'Dennis Ritchie' });
    await t.pager.tick();
    expect(rung().sort()).toEqual([ALICE.phone, BOB.phone]);
    t.clock.advance(50_000);
    await heard.call.wait(1, 50);
    t.clock.advance(11_000);
    await t.pager.tick();
    // Only the caller still fetching the wait URL is paged again.
    expect(rest.calls.slice(2).map((c) => new URL(c.url).searchParams.get('caller'))).toEqual([heard.call.callSid]);
    expect(quiet.call.callSid).not.toBe(heard.call.callSid);
  });

  it('when a caller is not heard of for ten minutes (their call ended unseen), then they leave the line for the call-back list, with their number', async () => {
    const quiet = await givenWaitingCaller(t);
    await t.pager.tick();
    t.clock.advance(10 * 60_000 + 1_000);
    await t.pager.tick();

    expect(await createWaitingCallers(t.redis).get(quiet.call.callSid)).toBeUndefined();
    const missed = await createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 }).get(quiet.call.callSid);
    expect(missed).toMatchObject({ accountId: quiet.accountId, userId: quiet.userId, from: quiet.call.from, reason: 'hung_up' });
    const history = await request(t.app).get(`/v1/accounts/${quiet.accountId}/calls`).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`);
    expect(history.body).toEqual({ calls: [expect.objectContaining({ callSid: quiet.call.callSid, outcome: 'abandoned' })] });
  });

  it('when the rota is empty while callers wait, then /metrics and /readyz say so until someone is on call again', async () => {
    await putRota(t, []);
    await givenWaitingCaller(t);
    await t.pager.tick();
    const metrics = await request(t.internal).get('/metrics');
    expect(metrics.text).toMatch(/^callgate_rota_empty 1$/m);
    expect((await request(t.internal).get('/readyz')).body).toEqual({ status: 'ready', attention: ['rota_empty_while_callers_wait'] });
    await putRota(t, [ALICE]);
    await t.pager.tick();
    expect((await request(t.internal).get('/metrics')).text).toMatch(/^callgate_rota_empty 0$/m);
    expect((await request(t.internal).get('/readyz')).body).toEqual({ status: 'ready', attention: [] });
  });
});
