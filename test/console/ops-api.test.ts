import request from 'supertest';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { liveViewSchema, recentCallsSchema } from '../../src/console/live-view-schema.js';
import { keys } from '../../src/redis/keys.js';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { ALICE, BOB, givenWaitingCaller } from '../oncall/oncall-helpers.js';

/** The console's data routes: operator keys only, the line now, recent calls, one build for every viewer. */
const rest = await startTwilioRestApi();
const apps: TestApp[] = [];
async function newApp(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await buildTestApp({ env: { TWILIO_API_URL: rest.url, ...env } });
  apps.push(app);
  return app;
}
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

const asOperator = (app: TestApp, path: string) => request(app.app).get(path).set('Authorization', `Bearer ${OPS_KEY}`);
const putRota = (app: TestApp, rota: unknown[]) => request(app.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send(rota);
// Exactly the documented fields: parsing, which drops keys the schema lacks, leaves the answer as it was.
function documented<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.parse(body);
  expect(body).toEqual(parsed);
  return parsed;
}
// The view is shared for up to a second: a change shows on a later read.
const liveView = async (app: TestApp) =>
  documented(liveViewSchema, (await asOperator(app, '/v1/ops/now').expect(200)).body);

describe('who may read the console data', () => {
  it.each(['/v1/ops/now', '/v1/ops/calls'])('when %s is asked without a key or with a control panel key, then 401 and 403 in the API error shape', async (path) => {
    const t = await newApp();
    expect((await request(t.app).get(path)).body).toMatchObject({ error: { code: 'unauthorized' } });
    const panel = await request(t.app).get(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`);
    expect(panel.status).toBe(403);
    expect(panel.body).toEqual({ error: { code: 'forbidden', message: 'This API key may not use this endpoint.' } });
  });

  it('when an operator key comes from outside OPS_ALLOWED_CIDRS, then 403 naming the network', async () => {
    const t = await newApp({ OPS_ALLOWED_CIDRS: '10.0.0.0/8' });
    const res = await asOperator(t, '/v1/ops/now');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'forbidden', message: 'This API key may not be used from this network.' } });
  });

  it('when an operator key comes from inside OPS_ALLOWED_CIDRS, then the console data is served', async () => {
    // The test client connects from 127.0.0.1.
    const t = await newApp({ OPS_ALLOWED_CIDRS: '10.0.0.0/8,127.0.0.0/8' });
    expect((await asOperator(t, '/v1/ops/now')).status).toBe(200);
  });
});

describe('GET /v1/ops/now', () => {
  it('when nobody waits, then it shows each plan open with its next change, no alarm, and the rota free', async () => {
    const t = await newApp();
    await putRota(t, [ALICE, BOB]).expect(200);
    const view = await liveView(t);
    expect(view.line.alarm).toBe(false);
    expect(view.line.plans).toEqual([
      { plan: 'standard', openNow: true, nextChange: '2027-03-02T17:30:00.000Z' },
      { plan: 'managed_platform', openNow: true, nextChange: '2027-03-02T20:00:00.000Z' },
    ]);
    expect(view.waiting).toEqual({ total: 0, callers: [] });
    expect(view.sysadmins.map((s) => [s.id, s.state])).toEqual([['alice', 'free'], ['bob', 'free']]);
  });

  it('when a verified caller is held and paged, then they show with account, plan, admin contact, wait, and the sysadmin ringing', async () => {
    const t = await newApp();
    await putRota(t, [ALICE, BOB]).expect(200);
    const { call, accountId } = await givenWaitingCaller(t, { admin: true, sla: 'managed_platform' });
    await t.pager.tick();
    t.clock.advance(12_000);
    const view = await eventually(async () => {
      const seen = await liveView(t);
      expect(seen.waiting.callers[0]?.paging?.state).toBe('ringing');
      return seen;
    }, 3000);
    expect(view.waiting.total).toBe(1);
    expect(view.waiting.callers[0]).toMatchObject({
      callSid: call.callSid,
      accountId,
      userName: 'Margaret Hamilton',
      isAdminContact: true,
      plan: 'managed_platform',
      waitSeconds: 12,
      paging: { sysadminId: 'alice', sysadminName: 'Alice', state: 'ringing', since: '2027-03-02T10:00:00.000Z' },
    });
    expect(view.sysadmins[0]).toMatchObject({ id: 'alice', state: 'ringing', withCaller: { callSid: call.callSid, userName: 'Margaret Hamilton' } });
  });

  it("when the policy names the line's time zone and language, then the view carries them for the page's times", async () => {
    const t = await newApp();
    const view = await liveView(t);
    expect(view.line).toMatchObject({ timeZone: t.policy.timezone, locale: t.policy.voice.language });
  });

  it('when PIN failures across the line pass the threshold this minute, then the alarm shows', async () => {
    const t = await newApp();
    await t.redis.set(keys.lineFailures(Math.floor(t.clock.now() / 60_000)), String(t.policy.line.alarmFailuresPerMinute));
    const view = await liveView(t);
    expect(view.line).toMatchObject({ alarm: true, failuresPerMinute: t.policy.line.alarmFailuresPerMinute });
  });

  it('when twenty viewers ask at once, then Redis is read as often as for one', async () => {
    const t = await newApp();
    await putRota(t, [ALICE]).expect(200);
    await liveView(t);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const sent = vi.spyOn(t.redis, 'sendCommand');
    await liveView(t);
    const forOne = sent.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    sent.mockClear();
    await Promise.all(Array.from({ length: 20 }, () => liveView(t)));
    expect(forOne).toBeGreaterThan(0);
    expect(sent.mock.calls.length).toBe(forOne);
    sent.mockRestore();
  });
});

describe('GET /v1/ops/calls', () => {
  it('when a caller waited, then the recent calls list them across accounts and the day has 24 hours of counts', async () => {
    const t = await newApp();
    const { call, accountId, userId } = await givenWaitingCaller(t);
    const recent = await eventually(async () => {
      const body = documented(recentCallsSchema, (await asOperator(t, '/v1/ops/calls').expect(200)).body);
      // The enqueued event is written just after the caller's answer.
      expect(body.calls.find((c) => c.callSid === call.callSid)).toMatchObject({ accountId, accountName: `Account ${accountId}`, userId, userName: 'Ken Thompson', outcome: 'queued' });
      return body;
    }, 7000);
    expect(recent.perHour).toHaveLength(24);
    expect(recent.perHour.at(-1)?.counts).toMatchObject({ queued: 1 });
    expect(recent.waits.map((w) => w.upToSeconds)).toEqual([30, 60, 120, 300, 600, null]);
  });
});

describe('the console page', () => {
  it('when /console/ is fetched, then it is served with a strict CSP and no inline script or style', async () => {
    const t = await newApp();
    expect((await request(t.app).get('/console')).headers.location).toBe('/console/');
    const page = await request(t.app).get('/console/').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toMatch(/\sstyle=|<style/);
    const script = await request(t.app).get('/console/console.js').expect(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.text.length).toBeGreaterThan(1000);
  });
});
