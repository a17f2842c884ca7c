import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpsgenieApi, userParticipant, type OpsgenieContact, type OpsgenieUser } from '../../sim/opsgenie-api.js';
import { logLines, rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, configProblems, OPS_KEY, testEnv, type TestApp } from '../helpers/test-app.js';

/**
 * The rota read from an Opsgenie schedule, against a stand-in answering as the documented
 * Who is On Call API (GET /v2/schedules/{id}/on-calls) and User API (GET /v2/users/{id}?expand=contact).
 * https://docs.opsgenie.com/docs/who-is-on-call-api, https://docs.opsgenie.com/docs/user-api
 */

const API_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';
const SCHEDULE = 'd875e654-9b4e-4219-a803-0c26936d18de';
rememberSecret(API_KEY);

const og = await startOpsgenieApi({ apiKey: API_KEY, scheduleId: SCHEDULE });
const env = { ROTA_SOURCE: 'opsgenie', OPSGENIE_API_KEY: API_KEY, OPSGENIE_SCHEDULE_ID: SCHEDULE, OPSGENIE_API_URL: og.url };
const t = await buildTestApp({ env });
const others: TestApp[] = [];
afterAll(async () => {
  await Promise.all([t, ...others].map((app) => app.close()));
  await og.close();
});

// Opsgenie user ids are UUIDs; these are made up.
const ALICE = '3a0f9c1e-1111-4c3b-9a53-000000000001';
const BOB = '3a0f9c1e-2222-4c3b-9a53-000000000002';
const CAROL = '3a0f9c1e-3333-4c3b-9a53-000000000003';
const DAVE = '3a0f9c1e-4444-4c3b-9a53-000000000004';

const voice = (to: string, enabled = true): OpsgenieContact => ({ contactMethod: 'voice', to, enabled });
const sms = (to: string): OpsgenieContact => ({ contactMethod: 'sms', to });
const email = (to: string): OpsgenieContact => ({ contactMethod: 'email', to });

function givenUser(id: string, fullName: string, ...contacts: OpsgenieContact[]): OpsgenieUser {
  const user = { id, fullName, username: `${fullName.split(' ')[0]?.toLowerCase() ?? 'user'}@example.com`, contacts };
  og.users.set(id, user);
  return user;
}

const syncOf = (app: TestApp) => request(app.app).post('/v1/oncall/sync').set('Authorization', `Bearer ${OPS_KEY}`);
const sync = () => syncOf(t);
const rota = () => request(t.app).get('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`);
const attention = async (): Promise<string[]> => ((await request(t.internal).get('/readyz')).body as { attention: string[] }).attention;
const metrics = async (): Promise<string> => (await request(t.internal).get('/metrics')).text;
const phonesOf = (list: unknown): unknown => (list as { id: string; phone: string }[]).map(({ id, phone }) => [id, phone]);

beforeEach(() => {
  og.fail(undefined);
  og.users.clear();
  og.participants.length = 0;
  og.requests.length = 0;
});

describe('the rota from an Opsgenie schedule', () => {
  it('when synced, then the on-call users are the rota in the schedule’s order (an escalation’s by escalation time), with their full names and phones', async () => {
    const alice = givenUser(ALICE, 'Alice Hopper', email('alice@example.com'), voice('44-7700900401'));
    // A disabled voice contact is passed over; the SMS number, national prefix and all, serves.
    const bob = givenUser(BOB, 'Bob Kahn', voice('44-7700900499', false), sms('44-07700900402'));
    const carol = givenUser(CAROL, 'Carol Shaw', voice('1-2025550143'));
    og.participants.push(
      userParticipant(alice),
      {
        id: 'e1b1d2a0-0000-4000-8000-000000000000',
        name: 'Engineering_escalation',
        type: 'escalation',
        onCallParticipants: [
          { ...userParticipant(carol), escalationTime: 10, notifyType: 'default' },
          { ...userParticipant(bob), escalationTime: 0, notifyType: 'default' },
          { ...userParticipant(alice), escalationTime: 20, notifyType: 'default' },
        ],
      },
    );

    const res = await sync();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ source: 'opsgenie', outcome: 'changed', revision: expect.any(Number) as number, sysadmins: 3, leftOut: [] });
    expect((await rota()).body).toEqual([
      { id: ALICE, name: 'Alice Hopper', phone: '+447700900401', hasPin: false },
      { id: BOB, name: 'Bob Kahn', phone: '+447700900402', hasPin: false },
      { id: CAROL, name: 'Carol Shaw', phone: '+12025550143', hasPin: false },
    ]);
    expect(og.requests).toContain(`/v2/users/${ALICE}?expand=contact`);
  });

  it('when an on-call user has no phone contact, then they are left out with a warning and the others stay', async () => {
    const alice = givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'));
    const dave = givenUser(DAVE, 'Dave Cutler', email('dave@example.com'));
    og.participants.push(userParticipant(dave), userParticipant(alice));

    const res = await sync();
    expect(res.body).toMatchObject({ sysadmins: 1, leftOut: [{ id: DAVE, reason: 'no_phone' }] });
    expect(phonesOf((await rota()).body)).toEqual([[ALICE, '+447700900401']]);
    expect(logLines.some((line) => line.includes('"level":40') && line.includes(DAVE) && line.includes('left off the rota'))).toBe(true);
  });

  it('when the schedule has not changed, then a sync writes nothing: same revision, same ETag', async () => {
    og.participants.push(userParticipant(givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'))));
    const first = await sync();
    const second = await sync();
    expect(second.body).toMatchObject({ outcome: 'unchanged', revision: (first.body as { revision: number }).revision });
    expect((await rota()).headers.etag).toBe(first.headers.etag);
  });

  it('when the on-call user changes there, then an on-demand sync brings the change in at once', async () => {
    og.participants.push(userParticipant(givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'))));
    await sync();
    og.participants.length = 0;
    og.participants.push(userParticipant(givenUser(BOB, 'Bob Kahn', voice('44-7700900402'))));
    expect((await sync()).body).toMatchObject({ outcome: 'changed', sysadmins: 1 });
    expect(phonesOf((await rota()).body)).toEqual([[BOB, '+447700900402']]);
  });
});

describe('when Opsgenie cannot be read', () => {
  it('then the last good rota stays and the alarm is up (502, error log, metric, /readyz); a good read clears it', async () => {
    og.participants.push(userParticipant(givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'))));
    const good = await sync();

    og.fail(503);
    const failed = await sync();
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { code: 'rota_source_unreadable' } });
    expect((failed.body as { error: { message: string } }).error.message).toContain('HTTP 503');
    const kept = await rota();
    expect(phonesOf(kept.body)).toEqual([[ALICE, '+447700900401']]);
    expect(kept.headers.etag).toBe(good.headers.etag);
    expect(await attention()).toContain('rota_source_unreadable');
    expect(await metrics()).toMatch(/^callgate_rota_source_failing 1$/m);
    expect(logLines.some((line) => line.includes('"level":50') && line.includes('rota source unreadable') && line.includes('opsgenie'))).toBe(true);

    og.fail(undefined);
    expect((await sync()).body).toMatchObject({ outcome: 'unchanged' });
    expect(await attention()).not.toContain('rota_source_unreadable');
    expect(await metrics()).toMatch(/^callgate_rota_source_failing 0$/m);
  });

  it('when the schedule is not there (404), then the sync says so and the rota stays', async () => {
    og.participants.push(userParticipant(givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'))));
    await sync();
    const app = await buildTestApp({ env: { ...env, OPSGENIE_SCHEDULE_ID: 'no-such-schedule' }, prefix: t.prefix });
    others.push(app);
    const res = await syncOf(app);
    expect(res.status).toBe(502);
    expect(res.text).toContain('HTTP 404');
    expect(phonesOf((await rota()).body)).toEqual([[ALICE, '+447700900401']]);
  });

  it('when the key is refused (401), then neither the answer nor any log line holds a key', async () => {
    const wrongKey = 'ff243592-0000-4ba2-a551-1afdf565c889';
    rememberSecret(wrongKey);
    const app = await buildTestApp({ env: { ...env, OPSGENIE_API_KEY: wrongKey } });
    others.push(app);
    og.participants.push(userParticipant(givenUser(ALICE, 'Alice Hopper', voice('44-7700900401'))));
    const res = await syncOf(app);
    expect(res.status).toBe(502);
    expect(res.text).toContain('HTTP 401');
    expect(res.text).not.toContain(wrongKey);
    expect(logLines.join('\n')).not.toContain(wrongKey);
    expect(logLines.join('\n')).not.toContain(API_KEY);
  });
});

describe('configuring Opsgenie', () => {
  it.each([
    [{ ROTA_SOURCE: 'opsgenie', OPSGENIE_SCHEDULE_ID: SCHEDULE }, 'OPSGENIE_API_KEY: is required when ROTA_SOURCE is opsgenie'],
    [{ ROTA_SOURCE: 'opsgenie', OPSGENIE_API_KEY: API_KEY }, 'OPSGENIE_SCHEDULE_ID: is required when ROTA_SOURCE is opsgenie'],
    [{ ...env, OPSGENIE_API_URL: 'http://api.eu.opsgenie.com' }, 'OPSGENIE_API_URL: must be https (plain http is allowed only for localhost)'],
  ])('when %j, then the start is refused: %s', (overrides, problem) => {
    expect(configProblems(overrides)).toContain(problem);
  });

  it('when the key equals PIN_SECRET, then the start is refused naming both, not the value', () => {
    const pinSecret = testEnv().PIN_SECRET ?? '';
    const problems = configProblems({ ...env, OPSGENIE_API_KEY: pinSecret });
    expect(problems).toContain('OPSGENIE_API_KEY: must differ from PIN_SECRET: each secret serves one purpose');
    expect(problems.join('\n')).not.toContain(pinSecret);
  });

  it('when the EU instance is named, then it is where the rota is read from', () => {
    expect(configProblems({ ...env, OPSGENIE_API_URL: 'https://api.eu.opsgenie.com' })).toEqual([]);
  });
});
