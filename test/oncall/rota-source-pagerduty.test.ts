import { createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPagerDutyApi, type PagerDutyContactMethod } from '../../sim/pagerduty-api.js';
import { createLogger } from '../../src/logger.js';
import { runRotaSyncEvery } from '../../src/oncall/rota-source/rota-sync.js';
import { logLines, logSink, rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, configProblems, OPS_KEY, type TestApp } from '../helpers/test-app.js';

/**
 * The rota read from PagerDuty, against a stand-in answering as the REST API v2 reference's
 * examples do: "List all of the on-calls" (GET /oncalls) and "List a user's contact methods"
 * (GET /users/{id}/contact_methods).
 * https://developer.pagerduty.com/api-reference/3a6b910f11050-list-all-of-the-on-calls
 */

const TOKEN = 'y_NbAkKc66ryYTWUXYEu';
const POLICY = 'PT20YPA';
rememberSecret(TOKEN);

const pd = await startPagerDutyApi({ token: TOKEN, escalationPolicyId: POLICY });
const env = { ROTA_SOURCE: 'pagerduty', PAGERDUTY_API_TOKEN: TOKEN, PAGERDUTY_API_URL: pd.url };
const t = await buildTestApp({ env: { ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY } });
const others: TestApp[] = [];
afterAll(async () => {
  await Promise.all([t, ...others].map((app) => app.close()));
  await pd.close();
});

const phone = (countryCode: number, address: string, more: Partial<PagerDutyContactMethod> = {}): PagerDutyContactMethod => ({
  type: 'phone_contact_method',
  country_code: countryCode,
  address,
  ...more,
});
const email: PagerDutyContactMethod = { type: 'email_contact_method', address: 'someone@example.com' };

function givenUser(id: string, name: string, ...contactMethods: PagerDutyContactMethod[]): void {
  pd.users.set(id, { id, name, contactMethods });
}
function givenOnCall(userId: string, escalationLevel: number, scheduleId: string | null = 'PI7DH85'): void {
  pd.oncalls.push({ userId, escalationLevel, scheduleId });
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const syncOf = (app: TestApp) => request(app.app).post('/v1/oncall/sync').set('Authorization', `Bearer ${OPS_KEY}`);
const sync = () => syncOf(t);
const rota = () => request(t.app).get('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`);
const attention = async (): Promise<string[]> => ((await request(t.internal).get('/readyz')).body as { attention: string[] }).attention;
const metrics = async (): Promise<string> => (await request(t.internal).get('/metrics')).text;
const phonesOf = (list: unknown): unknown => (list as { id: string; phone: string }[]).map(({ id, phone: p }) => [id, p]);

beforeEach(() => {
  pd.fail(undefined);
  pd.users.clear();
  pd.oncalls.length = 0;
  pd.requests.length = 0;
  pd.pageSize = 100;
});

describe('the rota from a PagerDuty escalation policy', () => {
  it('when synced, then the on-call users are the rota, ordered by escalation level, with the phones of their contact methods', async () => {
    givenUser('PALICE', 'Alice Hopper', email, phone(44, '7700900301'));
    // An SMS number when there is no voice number, as PagerDuty keeps it (national prefix and all).
    givenUser('PBOB', 'Bob Kahn', { type: 'sms_contact_method', country_code: 44, address: '07700 900302' });
    // A blacklisted phone is passed over for the next.
    givenUser('PCAROL', 'Carol Shaw', phone(1, '2025550100', { blacklisted: true }), phone(1, '2025550143'));
    givenOnCall('PBOB', 2);
    givenOnCall('PCAROL', 3, null);
    givenOnCall('PALICE', 1);
    givenOnCall('PALICE', 3);

    const res = await sync();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ source: 'pagerduty', outcome: 'changed', revision: expect.any(Number) as number, sysadmins: 3, leftOut: [] });
    expect((await rota()).body).toEqual([
      { id: 'PALICE', name: 'Alice Hopper', phone: '+447700900301', hasPin: false },
      { id: 'PBOB', name: 'Bob Kahn', phone: '+447700900302', hasPin: false },
      { id: 'PCAROL', name: 'Carol Shaw', phone: '+12025550143', hasPin: false },
    ]);
    expect(res.headers.etag).toBe((await rota()).headers.etag);
    expect(pd.requests.some((url) => url.startsWith('/oncalls?') && url.includes(`escalation_policy_ids%5B%5D=${POLICY}`))).toBe(true);
  });

  it('when an on-call user has no phone among their contact methods, then they are left out with a warning and the others stay', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenUser('PDAVE', 'Dave Cutler', email);
    givenOnCall('PDAVE', 1);
    givenOnCall('PALICE', 2);

    const res = await sync();
    expect(res.body).toMatchObject({ sysadmins: 1, leftOut: [{ id: 'PDAVE', reason: 'no_phone' }] });
    expect(phonesOf((await rota()).body)).toEqual([['PALICE', '+447700900301']]);
    expect(logLines.some((line) => line.includes('"level":40') && line.includes('PDAVE') && line.includes('left off the rota'))).toBe(true);
  });

  it('when two users share a phone, then the later one is left out (rota phones are unique)', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenUser('PEVE', 'Eve Lovelace', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    givenOnCall('PEVE', 2);
    expect((await sync()).body).toMatchObject({ sysadmins: 1, leftOut: [{ id: 'PEVE', reason: 'same_phone_as_another' }] });
  });

  it('when the source has not changed, then a sync writes nothing: same revision, same ETag', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    const first = await sync();
    const second = await sync();
    expect(second.body).toMatchObject({ outcome: 'unchanged', revision: (first.body as { revision: number }).revision });
    expect((await rota()).headers.etag).toBe(first.headers.etag);
  });

  it('when two instances sync a change at once, then the rota is written once (one new revision)', async () => {
    const second = await buildTestApp({ env: { ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY }, prefix: t.prefix });
    others.push(second);
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    const before = (await sync()).body as { revision: number };
    givenUser('PBOB', 'Bob Kahn', phone(44, '7700900302'));
    givenOnCall('PBOB', 2);
    const answers = (await Promise.all([sync(), syncOf(second), sync(), syncOf(second)])).map((res) => res.body as { outcome: string; revision: number });
    expect(answers.map((a) => a.outcome).sort()).toEqual(['changed', 'unchanged', 'unchanged', 'unchanged']);
    expect(answers.map((a) => a.revision)).toEqual(Array(4).fill(before.revision + 1));
    expect(phonesOf((await rota()).body)).toEqual([['PALICE', '+447700900301'], ['PBOB', '+447700900302']]);
  });

  it('when more than 50 are on call, then the first 50 by level are the rota and the rest are named as left out', async () => {
    for (let i = 0; i < 51; i += 1) {
      const id = `PU${String(i).padStart(2, '0')}`;
      givenUser(id, `Sysadmin ${id}`, phone(44, `7700900${String(500 + i)}`));
      givenOnCall(id, i + 1);
    }
    expect((await sync()).body).toMatchObject({ sysadmins: 50, leftOut: [{ id: 'PU50', reason: 'rota_full' }] });
  });

  it('when the on-calls come in several pages, then every page is read, in order', async () => {
    pd.pageSize = 2;
    for (const [i, id] of ['P1', 'P2', 'P3', 'P4', 'P5'].entries()) {
      givenUser(id, `Sysadmin ${id}`, phone(44, `770090040${String(i)}`));
      givenOnCall(id, i + 1);
    }
    await sync();
    expect(((await rota()).body as { id: string }[]).map((s) => s.id)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(pd.requests.filter((url) => url.startsWith('/oncalls?')).map((url) => new URL(url, pd.url).searchParams.get('offset'))).toEqual(['0', '2', '4']);
  });
});

describe('when PagerDuty cannot be read', () => {
  it('then the last good rota stays and the alarm is up (502, error log, metric, /readyz); a good read clears it', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    const good = await sync();
    expect(await attention()).not.toContain('rota_source_unreadable');

    pd.fail(500);
    const failed = await sync();
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { code: 'rota_source_unreadable' } });
    expect((failed.body as { error: { message: string } }).error.message).toContain('HTTP 500');
    const kept = await rota();
    expect(phonesOf(kept.body)).toEqual([['PALICE', '+447700900301']]);
    expect(kept.headers.etag).toBe(good.headers.etag);
    expect(await attention()).toContain('rota_source_unreadable');
    expect(await metrics()).toMatch(/^callgate_rota_source_failing 1$/m);
    expect(await metrics()).toMatch(/^callgate_rota_syncs_total\{source="pagerduty",result="unreadable"\} [1-9]/m);
    expect(logLines.some((line) => line.includes('"level":50') && line.includes('rota source unreadable'))).toBe(true);

    pd.fail(undefined);
    givenUser('PBOB', 'Bob Kahn', phone(44, '7700900302'));
    givenOnCall('PBOB', 2);
    expect((await sync()).status).toBe(200);
    expect(phonesOf((await rota()).body)).toEqual([['PALICE', '+447700900301'], ['PBOB', '+447700900302']]);
    expect(await attention()).not.toContain('rota_source_unreadable');
    expect(await metrics()).toMatch(/^callgate_rota_source_failing 0$/m);
    expect(logLines.some((line) => line.includes('rota source readable again'))).toBe(true);
  });

  it('when nobody on call there can be paged, then the last good rota stays too (nobody is never synced in)', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    await sync();
    pd.oncalls.length = 0;
    givenUser('PDAVE', 'Dave Cutler', email);
    givenOnCall('PDAVE', 1);
    const res = await sync();
    expect(res.status).toBe(502);
    expect(phonesOf((await rota()).body)).toEqual([['PALICE', '+447700900301']]);
    expect(await attention()).toContain('rota_source_unreadable');
    pd.oncalls.length = 0;
    givenOnCall('PALICE', 1);
    expect((await sync()).body).toMatchObject({ outcome: 'unchanged' });
    expect(await attention()).not.toContain('rota_source_unreadable');
  });

  it('when PagerDuty does not answer at all (connection refused), then the sync says so and the rota stays', async () => {
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    await sync();
    const app = await buildTestApp({ env: { ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY, PAGERDUTY_API_URL: `http://127.0.0.1:${String(await closedPort())}` }, prefix: t.prefix });
    others.push(app);
    const res = await syncOf(app);
    expect(res.status).toBe(502);
    expect(res.text).toContain('ECONNREFUSED');
    expect(phonesOf((await rota()).body)).toEqual([['PALICE', '+447700900301']]);
  });

  it('when the token is refused (401), then the sync says so without the token, in its answer or any log line', async () => {
    const wrongToken = 'u+wrong-token-0123456789';
    rememberSecret(wrongToken);
    const app = await buildTestApp({ env: { ...env, PAGERDUTY_API_TOKEN: wrongToken, PAGERDUTY_ESCALATION_POLICY_ID: POLICY } });
    others.push(app);
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenOnCall('PALICE', 1);
    const res = await syncOf(app);
    expect(res.status).toBe(502);
    expect(res.text).toContain('HTTP 401');
    expect(res.text).not.toContain(wrongToken);
    expect(logLines.join('\n')).not.toContain(wrongToken);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});

describe('the rota from a PagerDuty schedule', () => {
  it('when PAGERDUTY_SCHEDULE_ID is set, then only that schedule’s on-calls are read', async () => {
    const app = await buildTestApp({ env: { ...env, PAGERDUTY_SCHEDULE_ID: 'PI7DH85' } });
    others.push(app);
    givenUser('PALICE', 'Alice Hopper', phone(44, '7700900301'));
    givenUser('PCAROL', 'Carol Shaw', phone(1, '2025550143'));
    givenOnCall('PCAROL', 1, null);
    givenOnCall('PALICE', 2, 'PI7DH85');
    expect((await syncOf(app)).body).toMatchObject({ sysadmins: 1 });
    const list = await request(app.app).get('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`);
    expect(phonesOf(list.body)).toEqual([['PALICE', '+447700900301']]);
    expect(pd.requests.some((url) => url.includes('schedule_ids%5B%5D=PI7DH85'))).toBe(true);
  });

  it('when an operator sets the on-call PIN of someone the source has not put on call yet, then it is kept for their turn', async () => {
    const setPin = (app: TestApp, id: string) =>
      request(app.app).put(`/v1/oncall/${id}/pin`).set('Authorization', `Bearer ${OPS_KEY}`).send({ pin: '48151623' });
    expect((await setPin(t, 'PNOTYET')).status).toBe(204);
    // With the built-in rota, only someone on it.
    const builtin = await buildTestApp();
    others.push(builtin);
    expect((await setPin(builtin, 'PNOTYET')).status).toBe(404);

    givenUser('PNOTYET', 'Nora Later', phone(44, '7700900399'));
    givenOnCall('PNOTYET', 1);
    await sync();
    const list = (await rota()).body as { id: string; hasPin: boolean }[];
    expect(list.find((sysadmin) => sysadmin.id === 'PNOTYET')).toMatchObject({ hasPin: true });
  });
});

describe('the built-in rota (the default)', () => {
  it('when no ROTA_SOURCE is set, then there is no sync route and PUT /v1/oncall sets the rota', async () => {
    const app = await buildTestApp();
    others.push(app);
    expect((await syncOf(app)).status).toBe(404);
    const list = [{ id: 'alice', name: 'Alice', phone: '+447700900101' }];
    expect((await request(app.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send(list)).status).toBe(200);
    expect((await request(app.app).get('/openapi.json')).body).not.toHaveProperty(['paths', '/v1/oncall/sync']);
  });

  it('when a source is set, then the sync route is in the OpenAPI document, for operator keys', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as { paths: Record<string, Record<string, { security: unknown }>> };
    expect(doc.paths['/v1/oncall/sync']?.post?.security).toEqual([{ opsKey: [] }]);
  });
});

describe('syncing at the configured interval', () => {
  it('when the timer runs, then it syncs at once and every interval after, until stopped', () => {
    vi.useFakeTimers();
    try {
      const rotaSync = { sync: vi.fn(() => Promise.resolve({ source: 'pagerduty' as const, outcome: 'unchanged' as const, revision: 1, sysadmins: 1, leftOut: [] })) };
      const stop = runRotaSyncEvery(rotaSync, 60_000, createLogger({ level: 'info', destination: logSink }));
      expect(rotaSync.sync).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(120_000);
      expect(rotaSync.sync).toHaveBeenCalledTimes(3);
      stop();
      vi.advanceTimersByTime(120_000);
      expect(rotaSync.sync).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('configuring PagerDuty', () => {
  it.each([
    [{ ROTA_SOURCE: 'pagerduty', PAGERDUTY_ESCALATION_POLICY_ID: POLICY }, 'PAGERDUTY_API_TOKEN: is required when ROTA_SOURCE is pagerduty'],
    [{ ROTA_SOURCE: 'pagerduty', PAGERDUTY_API_TOKEN: TOKEN }, 'PAGERDUTY_ESCALATION_POLICY_ID: set exactly one of PAGERDUTY_ESCALATION_POLICY_ID or PAGERDUTY_SCHEDULE_ID'],
    [
      { ROTA_SOURCE: 'pagerduty', PAGERDUTY_API_TOKEN: TOKEN, PAGERDUTY_ESCALATION_POLICY_ID: POLICY, PAGERDUTY_SCHEDULE_ID: 'PI7DH85' },
      'PAGERDUTY_ESCALATION_POLICY_ID: set exactly one of PAGERDUTY_ESCALATION_POLICY_ID or PAGERDUTY_SCHEDULE_ID',
    ],
    [{ ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY, PAGERDUTY_API_URL: 'http://api.pagerduty.com' }, 'PAGERDUTY_API_URL: must be https (plain http is allowed only for localhost)'],
    [{ ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY, ROTA_SYNC_SECONDS: '1' }, 'ROTA_SYNC_SECONDS: Too small: expected number to be >=10'],
  ])('when %j, then the start is refused: %s', (overrides, problem) => {
    expect(configProblems(overrides)).toContain(problem);
  });

  it('when the token equals another secret, then the start is refused naming both, not the value', () => {
    const problems = configProblems({ ...env, PAGERDUTY_ESCALATION_POLICY_ID: POLICY, PAGERDUTY_API_TOKEN: OPS_KEY });
    expect(problems).toContain('PAGERDUTY_API_TOKEN: must differ from OPS_API_KEYS: each secret serves one purpose');
    expect(problems.join('\n')).not.toContain(OPS_KEY);
  });
});
