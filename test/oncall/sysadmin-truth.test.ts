import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/logger.js';
import { createBridgeBooks, REPORT_GRACE_MS } from '../../src/oncall/bridge-books.js';
import { createBusySysadmins } from '../../src/oncall/busy-sysadmins.js';
import type { CallEvents } from '../../src/oncall/call-events.js';
import { createMissedCallers, type MissedReason } from '../../src/oncall/missed-callers.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { keys } from '../../src/redis/keys.js';
import { eventually } from '../helpers/eventually.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { api } from '../helpers/givens.js';
import { buildTestApp, OPS_KEY, policyWith, type TestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';
import { signedWebhooks, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import { ALICE, bridge, givenWaitingCaller, pagedPhone } from './oncall-helpers.js';

/**
 * What the sysadmin side decides from Twilio's own reports, webhook by webhook, at chosen
 * instants (whole calls through the simulator are in test/e2e/twilio-truth.test.ts).
 */
const rest = await startTwilioRestApi();
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

async function lineWithAlice(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  rest.calls.length = 0;
  const t = await buildTestApp({ env: { TWILIO_API_URL: rest.url }, clock: testClock('2027-03-02T10:00:00Z'), ...options });
  apps.push(t);
  expect((await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([ALICE])).status).toBe(200);
  return t;
}

/** Alice is paged, presses 1 to hear who waits and 1 to take them. */
async function aliceTakes(t: TestApp, callerSid: string) {
  await t.pager.tick();
  const alice = pagedPhone(t, 'alice', rest.calls.find((c) => c.to === ALICE.phone));
  await alice.answer();
  await alice.hear('1');
  await alice.take('1', callerSid);
  return alice;
}

describe('the sysadmin side books what Twilio reports', () => {
  // https://www.twilio.com/docs/voice/twiml/dial: the action gets DialBridged once the <Dial> ends.
  it('when Redis failed as the <Queue> url was fetched and Twilio then reports DialBridged=true, then the sysadmin hears the call is over (not that the caller left) and it is booked connected', async () => {
    const t = await lineWithAlice();
    const { call, accountId } = await givenWaitingCaller(t);
    const alice = await aliceTakes(t, call.callSid);
    // Closed for good before going on: a late close of the old connection would end the new one too.
    const ended = new Promise((resolve) => t.redis.once('end', resolve));
    t.redis.disconnect();
    await ended;
    await bridge(t, 'alice', call.callSid, alice.pageSid);
    // Back for the Dial's action.
    await t.redis.connect();
    // The <Queue> url prepared nothing: the caller is still on the line.
    expect(await createWaitingCallers(t.redis).get(call.callSid)).toBeDefined();
    const post = signedWebhooks(t.app, t.config);
    const answer = twimlOf(
      await post(`/twilio/agent-dialed?sysadmin=alice&about=${call.callSid}`, { CallSid: alice.pageSid, DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '300' }),
    );
    expect(spoken(answer)).toEqual(['The call has ended. Goodbye.']);
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({ calls: [expect.objectContaining({ callSid: call.callSid, outcome: 'connected', sysadminId: 'alice' })] });
  });

  it('when the <Queue> url was fetched but Twilio reports DialBridged=false, then the caller is not booked connected and the sysadmin hears they left', async () => {
    const t = await lineWithAlice();
    const { call, accountId } = await givenWaitingCaller(t);
    const alice = await aliceTakes(t, call.callSid);
    await bridge(t, 'alice', call.callSid, alice.pageSid);
    const post = signedWebhooks(t.app, t.config);
    const answer = twimlOf(await post(`/twilio/agent-dialed?sysadmin=alice&about=${call.callSid}`, { CallSid: alice.pageSid, DialCallStatus: 'no-answer', DialBridged: 'false' }));
    expect(spoken(answer)[0]).toBe('The caller you heard about is no longer waiting.');
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({ calls: [expect.objectContaining({ callSid: call.callSid })] });
    expect(history.body).not.toEqual({ calls: [expect.objectContaining({ outcome: 'connected' })] });
  });
});

describe("a bridge whose reports never come (Twilio sends each once, https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides)", () => {
  const missedOf = (t: TestApp, callSid: string) =>
    createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 }).get(callSid);
  /** Alice took the caller and the <Queue> url was fetched; then neither QueueResult nor DialBridged has reached
   * callgate so far, but the caller's status callback has. */
  async function givenUnreportedBridgeEnded() {
    const t = await lineWithAlice();
    const given = await givenWaitingCaller(t);
    const alice = await aliceTakes(t, given.call.callSid);
    await bridge(t, 'alice', given.call.callSid, alice.pageSid);
    await given.call.status('completed', 300);
    return { t, alice, ...given };
  }

  it("when both reports are lost (answered while Redis failed over) and the caller's call ends, then two minutes later they are on the call-back list", async () => {
    const { t, call, accountId, userId } = await givenUnreportedBridgeEnded();
    t.clock.advance(60_000);
    await t.pager.tick();
    expect(await missedOf(t, call.callSid)).toBeUndefined();

    t.clock.advance(61_000);
    // The pager's housekeeping settles them (it runs beside a tick, one at a time).
    await eventually(async () => {
      await t.pager.tick();
      expect(await missedOf(t, call.callSid)).toMatchObject({ accountId, userId, reason: 'hung_up' });
    });
    // The call history says what the call-back list says.
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({ calls: [expect.objectContaining({ callSid: call.callSid, outcome: 'abandoned' })] });
  });

  it("when the sweep runs just before two minutes after the caller's end, then it leaves the bridge; at two minutes, it books them", async () => {
    const { t, call } = await givenUnreportedBridgeEnded();
    const endedAt = t.clock.now();
    // The sweep awaited on its own (the pager starts it beside a tick without waiting for it).
    const log = createLogger({ level: 'silent' });
    const noEvents: CallEvents = { connected: async () => {}, missed: async () => {}, voicemailRecorded: async () => {}, calledBack: async () => {} };
    const booked: { callSid: string; reason: MissedReason }[] = [];
    const books = createBridgeBooks({
      waiting: createWaitingCallers(t.redis),
      busy: createBusySysadmins(t.redis),
      events: noEvents,
      audit: createAuditLog({ redis: t.redis, clock: t.clock, log }),
      clock: t.clock,
      log,
      callerMissed: (caller, facts) => {
        booked.push({ callSid: caller.callSid, reason: facts.reason });
        return Promise.resolve();
      },
    });

    await books.settleUnreported(endedAt + REPORT_GRACE_MS - 1);
    expect(booked).toEqual([]);
    expect(await t.redis.zcard(keys.bridgesEnded)).toBe(1);

    await books.settleUnreported(endedAt + REPORT_GRACE_MS);
    expect(booked).toEqual([{ callSid: call.callSid, reason: 'hung_up' }]);
    expect(await t.redis.zcard(keys.bridgesEnded)).toBe(0);
  });

  it('when the bridging record is gone before the sweep (its TTL), then the list of ended bridges keeps nothing behind', async () => {
    const { t, call } = await givenUnreportedBridgeEnded();
    expect(await t.redis.zcard(keys.bridgesEnded)).toBe(1);
    await t.redis.del(keys.bridging(call.callSid));

    t.clock.advance(3 * 60_000);
    await eventually(async () => {
      await t.pager.tick();
      expect(await t.redis.zcard(keys.bridgesEnded)).toBe(0);
    });
  });

  it("when a report comes after the caller's status callback, then the bridge is booked connected and nobody is put on the call-back list", async () => {
    const { t, call, accountId, alice } = await givenUnreportedBridgeEnded();
    const post = signedWebhooks(t.app, t.config);
    await post(`/twilio/agent-dialed?sysadmin=alice&about=${call.callSid}`, { CallSid: alice.pageSid, DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '290' });

    t.clock.advance(3 * 60_000);
    await t.pager.tick();
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({ calls: [expect.objectContaining({ callSid: call.callSid, outcome: 'connected', sysadminId: 'alice' })] });
    expect(await t.redis.zcard(keys.bridgesEnded)).toBe(0);
    expect(await missedOf(t, call.callSid)).toBeUndefined();
  });
});

describe('a sysadmin is never given the customers\' apology', () => {
  it('when Redis is down as a page is answered, then the sysadmin still hears the greeting', async () => {
    const t = await lineWithAlice();
    await givenWaitingCaller(t);
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', rest.calls.find((c) => c.to === ALICE.phone));
    t.redis.disconnect();
    expect(spoken(twimlOf(await alice.answer()))).toEqual(['This is the emergency support line. A customer is waiting for an on-call engineer. Press 1 to hear who is calling.']);
  });

  it('when Redis is down as the sysadmin presses 1, then they hear that the line cannot reach its records, in their own words', async () => {
    const t = await lineWithAlice();
    await givenWaitingCaller(t);
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', rest.calls.find((c) => c.to === ALICE.phone));
    await alice.answer();
    t.redis.disconnect();
    expect(spoken(twimlOf(await alice.hear('1')))).toEqual([
      'Sorry, the emergency line cannot reach its records right now. Callers are still held, and you will be paged again. Goodbye.',
    ]);
  });
});

describe('a held caller is never dropped by callgate', () => {
  // https://www.twilio.com/docs/voice/twiml/enqueue: the waitUrl document is fetched again each time it ends.
  it('when the wait URL fails inside (a request it cannot read), then the caller holds again instead of hearing the apology and a hang-up', async () => {
    const t = await lineWithAlice();
    const post = signedWebhooks(t.app, t.config);
    const answer = twimlOf(await post('/twilio/wait', { CallSid: 'not a call sid', QueuePosition: '1', QueueTime: '30' }));
    expect(answer).toContain('<Pause length="15"/>');
    expect(answer).not.toContain('<Hangup/>');
  });

  it('when the maximum wait passes while a sysadmin who pressed 1 is being connected, then the caller holds until the reservation resolves', async () => {
    const t = await lineWithAlice({ policy: policyWith({ queue: { maxWaitSeconds: 600 } }) });
    const { call } = await givenWaitingCaller(t);
    await aliceTakes(t, call.callSid);
    expect(twimlOf(await call.wait(1, 600))).not.toContain('<Leave/>');
    // The reservation lapses unbridged (20 s): the maximum wait resumes.
    t.clock.advance(21_000);
    expect(twimlOf(await call.wait(1, 621))).toContain('<Leave/>');
  });

  it('when hold music lasts 60 s, then a caller last heard of 65 s ago still counts as waiting and is briefed', async () => {
    const t = await lineWithAlice({ policy: policyWith({ queue: { maxWaitSeconds: 600, holdMusicUrl: 'https://example.com/hold.mp3', holdMusicSeconds: 60 } }) });
    const { call } = await givenWaitingCaller(t);
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', rest.calls.find((c) => c.to === ALICE.phone));
    await alice.answer();
    t.clock.advance(65_000);
    const briefing = spoken(twimlOf(await alice.hear('1')));
    expect(briefing[0]).toMatch(/^Emergency support call/);
    expect(await createWaitingCallers(t.redis).get(call.callSid)).toBeDefined();
  });

  it('when a policy plays hold music as long as the maximum wait, then it is refused', () => {
    expect(() => parsePolicy(policyWith({ queue: { maxWaitSeconds: 60, holdMusicUrl: 'https://example.com/hold.mp3', holdMusicSeconds: 60 } }))).toThrow(
      /holdMusicSeconds must be shorter than maxWaitSeconds/,
    );
  });
});
