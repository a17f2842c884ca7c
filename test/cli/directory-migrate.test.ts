import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDirectory } from '../../src/cli/directory-migrate.js';
import { startPrivateRedis } from '../../tools/private-redis.js';
import { api, givenPin, newId } from '../helpers/givens.js';
import { buildTestApp, testEnv } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import { runCommand } from './run-command.js';

/* Upgrading: the directory as versions before December 2026 kept it, one account per hash slot. */
const t = await buildTestApp();
// The command itself runs on a Redis of its own: it scans every key, with no prefix.
const privateRedis = await startPrivateRedis();
const raw = new Redis(privateRedis.url);
afterAll(async () => {
  raw.disconnect();
  await privateRedis.stop();
  await t.close();
});

const ADA = { rev: 3, name: 'Ada Admin', permissions: ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'] };
const KEN = { rev: 4, name: 'Ken Caller', permissions: ['manage_support'] };

/** Writes an account as an earlier version did: its hash, and its users' hash. */
async function givenOldAccount(
  redis: Redis,
  accountId: string,
  account: Record<string, string>,
  users: Record<string, { rev: number; name: string; permissions: string[] }>,
) {
  await redis.hset(`callgate:{a:${accountId}}:account`, account);
  for (const [userId, { rev, ...user }] of Object.entries(users)) {
    await redis.hset(`callgate:{a:${accountId}}:users`, userId, `${String(rev)}:${JSON.stringify(user)}`);
  }
}

describe('the directory migration', () => {
  it('when an earlier version kept the directory, then every account and user is served as before, ETags included, and a caller is put through', async () => {
    const accountId = newId('acct');
    await givenOldAccount(t.redis as Redis, accountId, { name: 'Acme Hosting', sla: 'standard', rev: '3', seq: '4', admin_contact: 'ada' }, { ada: ADA, ken: KEN });

    const report = await migrateDirectory(t.redis, t.prefix);
    expect(report).toMatchObject({ imported: 1, users: 2, skipped: [] });

    const account = await api(t.app).get(`/v1/accounts/${accountId}`);
    expect(account.body).toMatchObject({ name: 'Acme Hosting', sla: 'standard', contacts: { admin_contact: 'ada', billing_contact: null } });
    expect(account.headers.etag).toBe('"a3"');
    expect((await api(t.app).get(`/v1/accounts/${accountId}/users/ken`)).headers.etag).toBe('"u4"');
    const users = await api(t.app).get(`/v1/accounts/${accountId}/users`);
    expect((users.body as { users: { id: string }[] }).users.map((user) => user.id)).toEqual(['ada', 'ken']);

    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(spoken(twimlOf(await call.pin(await givenPin(t.app, accountId, 'ken'))))[0]).toMatch(/^Thank you, Ken Caller\./);
  });

  it('when an account was written here before the migration ran, then it keeps what it has, gains the users it lacked, and its revisions never go back', async () => {
    const accountId = newId('acct');
    await givenOldAccount(t.redis as Redis, accountId, { name: 'Old name', sla: 'standard', rev: '5', seq: '9', admin_contact: 'ada' }, { ada: ADA, ken: KEN });
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Renamed here', sla: 'standard' })).status).toBe(201);

    expect(await migrateDirectory(t.redis, t.prefix)).toMatchObject({ users: 2 });
    expect((await api(t.app).get(`/v1/accounts/${accountId}`)).body).toMatchObject({ name: 'Renamed here' });
    expect((await api(t.app).get(`/v1/accounts/${accountId}/users/ken`)).status).toBe(200);
    const next = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Renamed again', sla: 'standard' });
    expect(next.headers.etag).toBe('"a10"');

    // Run again: nothing more to add.
    expect(await migrateDirectory(t.redis, t.prefix)).toMatchObject({ imported: 0, users: 0 });
  });

  it('when an account had been deleted, then it stays deleted and its revisions keep going up when it is created again', async () => {
    const accountId = newId('acct');
    // A deleted account kept only its revision counter.
    await givenOldAccount(t.redis as Redis, accountId, { seq: '7' }, {});
    await migrateDirectory(t.redis, t.prefix);
    expect((await api(t.app).get(`/v1/accounts/${accountId}`)).status).toBe(404);

    const created = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Again', sla: 'standard' });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"a8"');
  });

  it('when a stored user is in no shape callgate wrote, then it is left behind and named, and a contact role naming it is dropped', async () => {
    const accountId = newId('acct');
    await givenOldAccount(t.redis as Redis, accountId, { name: 'Acme', sla: 'standard', rev: '2', seq: '2', admin_contact: 'odd' }, { ken: KEN });
    await t.redis.hset(`callgate:{a:${accountId}}:users`, 'odd', '1:{"name":"Odd","permissions":["fly"]}');

    const report = await migrateDirectory(t.redis, t.prefix);
    expect(report.skipped).toEqual([`callgate:{a:${accountId}}:users odd`]);
    expect((await api(t.app).get(`/v1/accounts/${accountId}`)).body).toMatchObject({ contacts: { admin_contact: null } });
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin(await givenPin(t.app, accountId, 'ken')))).toContain('<Enqueue');
  });

  it('when run as `npm run directory:migrate`, then it waits for Redis, imports, says what it did, and drops the earlier copy in {line}', async () => {
    const accountId = newId('acct');
    await givenOldAccount(raw, accountId, { name: 'Acme', sla: 'standard', rev: '1', seq: '2' }, { ken: KEN });
    await raw.hset('callgate:{line}:directory:accounts', accountId, '{"seq":2}');

    const run = await runCommand('src/cli/directory-migrate-command.ts', [], testEnv({ REDIS_URL: privateRedis.url }));
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('directory migrated: 1 accounts imported, 0 already there, 1 users added\n');
    expect(run.code).toBe(0);
    expect(await raw.hexists('callgate:{line}:dir:users', `${accountId}/ken`)).toBe(1);
    expect(await raw.exists('callgate:{line}:directory:accounts')).toBe(0);
  });
});
