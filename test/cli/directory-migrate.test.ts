import { afterAll, describe, expect, it } from 'vitest';
import { migrateDirectory } from '../../src/cli/directory-migrate.js';
import { api, givenPin, newId } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/* Upgrading: the directory as versions before December 2026 kept it, one account per hash slot. */
const t = await buildTestApp();
afterAll(() => t.close());

/** Writes an account as an earlier version did: its hash, and its users' hash. */
async function givenOldAccount(accountId: string, account: Record<string, string>, users: Record<string, { rev: number; name: string; permissions: string[] }>) {
  await t.redis.hset(`callgate:{a:${accountId}}:account`, account);
  for (const [userId, { rev, ...user }] of Object.entries(users)) {
    await t.redis.hset(`callgate:{a:${accountId}}:users`, userId, `${String(rev)}:${JSON.stringify(user)}`);
  }
}

describe('the directory migration', () => {
  it('when an earlier version kept the directory, then every account and user is served as before, ETags included, and a caller is put through', async () => {
    const accountId = newId('acct');
    await givenOldAccount(
      accountId,
      { name: 'Acme Hosting', sla: 'standard', rev: '3', seq: '4', admin_contact: 'ada' },
      {
        ada: { rev: 3, name: 'Ada Admin', permissions: ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'] },
        ken: { rev: 4, name: 'Ken Caller', permissions: ['manage_support'] },
      },
    );

    const report = await migrateDirectory(t.redis, t.prefix);
    expect(report).toMatchObject({ imported: 1, users: 2 });

    const account = await api(t.app).get(`/v1/accounts/${accountId}`);
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ name: 'Acme Hosting', sla: 'standard', contacts: { admin_contact: 'ada', billing_contact: null } });
    expect(account.headers.etag).toBe('"a3"');
    const ken = await api(t.app).get(`/v1/accounts/${accountId}/users/ken`);
    expect(ken.headers.etag).toBe('"u4"');
    const users = await api(t.app).get(`/v1/accounts/${accountId}/users`);
    expect((users.body as { users: { id: string }[] }).users.map((user) => user.id)).toEqual(['ada', 'ken']);

    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(spoken(twimlOf(await call.pin(await givenPin(t.app, accountId, 'ken'))))[0]).toMatch(/^Thank you, Ken Caller\./);
  });

  it('when it runs again after an account was changed here, then it changes nothing', async () => {
    const accountId = newId('acct');
    await givenOldAccount(accountId, { name: 'Before', sla: 'standard', rev: '1', seq: '1' }, {});
    await migrateDirectory(t.redis, t.prefix);
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Renamed here', sla: 'standard' })).status).toBe(200);

    const again = await migrateDirectory(t.redis, t.prefix);
    expect(again.imported).toBe(0);
    expect(again.alreadyThere).toBeGreaterThanOrEqual(1);
    expect((await api(t.app).get(`/v1/accounts/${accountId}`)).body).toMatchObject({ name: 'Renamed here' });
  });

  it('when an account had been deleted, then it stays deleted and its revisions keep going up when it is created again', async () => {
    const accountId = newId('acct');
    // A deleted account kept only its revision counter.
    await givenOldAccount(accountId, { seq: '7' }, {});
    await migrateDirectory(t.redis, t.prefix);
    expect((await api(t.app).get(`/v1/accounts/${accountId}`)).status).toBe(404);

    const created = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Again', sla: 'standard' });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"a8"');
  });
});
