import { afterAll, describe, expect, it } from 'vitest';
import { createMissedCallers } from '../../src/oncall/missed-callers.js';
import { keys } from '../../src/redis/keys.js';
import { api, changedBehindTheApi, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { logLines } from '../helpers/leak-watch.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const t = await buildTestApp();
afterAll(() => t.close());
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

async function enqueuedCall() {
  const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
  const userId = await givenUser(t.app, accountId, { name: 'Linus' });
  const pin = await givenPin(t.app, accountId, userId);
  const call = placeCall(t.app, t.config);
  await call.voice();
  expect(twimlOf(await call.pin(pin))).toContain('<Enqueue');
  await new Promise((resolve) => setTimeout(resolve, 50)); // the enqueue is recorded just after the answer
  return { accountId, userId, pin, call };
}

const historyOf = async (accountId: string) =>
  ((await api(t.app).get(`/v1/accounts/${accountId}/calls`)).body as { calls: Record<string, unknown>[] }).calls;

describe('waiting in the queue', () => {
  // Position, hold music, the longest wait and voicemail: test/oncall/waiting.test.ts.

  it('when the caller hangs up while waiting, then the call is recorded as abandoned', async () => {
    const { call, accountId } = await enqueuedCall();
    expect(twimlOf(await call.queueResult('hangup', 42))).toBe(`${XML}<Response><Hangup/></Response>`);
    await call.status('completed', 50);
    expect(await historyOf(accountId)).toEqual([
      expect.objectContaining({ outcome: 'abandoned', waitSeconds: 42, durationSeconds: 50 }),
    ]);
  });

  it("when a call's end is reported, then what callgate keeps of it lasts an hour, not the six hours a live call's state may", async () => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(await t.redis.pttl(keys.call(call.callSid))).toBeGreaterThan(5 * 3_600_000);
    await call.status('completed', 20);
    const ttl = await t.redis.pttl(keys.call(call.callSid));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('when Twilio retries the queue action and the status callback, then each event is recorded once', async () => {
    const { call } = await enqueuedCall();
    const first = twimlOf(await call.queueResult('hangup', 20));
    expect(twimlOf(await call.queueResult('hangup', 20))).toBe(first);
    await call.status('completed', 25);
    await call.status('completed', 25);
    const types = (await t.redis.xrange('callgate:{audit}:events', '-', '+'))
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { type: string; callSid: string })
      .filter((event) => event.callSid === call.callSid)
      .map((event) => event.type);
    expect(types.filter((type) => type === 'abandoned')).toHaveLength(1);
    expect(types.filter((type) => type === 'completed')).toHaveLength(1);
  });

  it('when a first status callback recorded its step but died before taking the caller off the line, then its retry books them', async () => {
    const { call, accountId } = await enqueuedCall();
    // What the first copy left: its step recorded, the caller still on the line.
    await t.redis.hset(keys.call(call.callSid), 'step:status', JSON.stringify({ kind: 'nothing' }));
    await call.status('completed', 30);
    const missed = createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 });
    expect(await missed.get(call.callSid)).toMatchObject({ accountId, reason: 'hung_up' });
    expect(await t.redis.hexists(keys.waitingCallers, call.callSid)).toBe(0);
  });

  // QueueResult values from https://www.twilio.com/docs/voice/twiml/enqueue: 'error' (an error in the TwiML from
  // the waitUrl), 'system-error' (e.g. the caller hung up before being fully enqueued), 'queue-full'.
  it.each([
    ['error', 'line_error'],
    ['system-error', 'hung_up'],
    ['queue-full', 'line_error'],
  ])('when Twilio reports the queue result %s, then the apology, and the caller is on the list to call back', async (result, reason) => {
    const { call, accountId } = await enqueuedCall();
    expect(spoken(twimlOf(await call.queueResult(result, 3)))[0]).toMatch(/^We are sorry, the emergency support line has a problem/);
    const missed = createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 });
    expect(await missed.get(call.callSid)).toMatchObject({ accountId, reason, waitSeconds: 3 });
  });
});

describe('call history and audit', () => {
  it('when calls were rejected, queued and completed, then the history lists them newest first with outcomes', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const outsider = await givenUser(t.app, accountId, { permissions: ['manage_support'] });

    const first = placeCall(t.app, t.config);
    await first.voice();
    await first.pin(await givenPin(t.app, accountId, userId));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.status('completed', 120);

    const pin = await givenPin(t.app, accountId, outsider);
    await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'A', sla: 'standard' });
    await changedBehindTheApi(t, accountId, { userId: outsider, user: { name: 'O', permissions: [] } });
    const second = placeCall(t.app, t.config);
    await second.voice();
    await second.pin(pin);

    const history = await historyOf(accountId);
    expect(history).toEqual([
      expect.objectContaining({ callSid: second.callSid, userId: outsider, outcome: 'rejected', reason: 'permission_required' }),
      expect.objectContaining({ callSid: first.callSid, userId, outcome: 'completed', durationSeconds: 120, sysadminId: null }),
    ]);
    expect(Date.parse(String(history[1]?.startedAt))).toBe(t.clock.now());
  });

  it('when an account is unknown, then its history is 404', async () => {
    expect((await api(t.app).get('/v1/accounts/nobody/calls')).status).toBe(404);
  });

  it('when calls happen, then every step is in the audit stream and the log, and no PIN or Digits is in either', async () => {
    const { call, pin } = await enqueuedCall();
    const wrong = placeCall(t.app, t.config);
    await wrong.voice();
    await wrong.pin('24682468');
    await call.queueResult('hangup', 5);

    const entries = await t.redis.xrange('callgate:{audit}:events', '-', '+');
    const events = entries.map(([, fields]) => fields[1] ?? '');
    const types = events.map((json) => (JSON.parse(json) as { type: string; callSid: string }))
      .filter((event) => event.callSid === call.callSid || event.callSid === wrong.callSid)
      .map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['call_received', 'pin_verified', 'enqueued', 'pin_failed', 'abandoned']));
    for (const secret of [pin, '24682468']) {
      expect(events.filter((json) => json.includes(secret))).toEqual([]);
      expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(logLines.some((line) => line.includes('"msg":"call pin_failed"') && line.includes(wrong.callSid))).toBe(true);
  });
});
