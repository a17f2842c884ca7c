import { afterAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/directory/directory-schema.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import { keys, PIN_KEYS } from '../../src/redis/keys.js';
import { asUnknown, defineScript } from '../../src/redis/scripts.js';
import { newId } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const store = createDirectoryStore(t.redis);
const userIds = async (accountId: string) => (await store.listUsers(accountId, { limit: 100 })).map((user) => user.id);

describe('directory store under concurrent changes', () => {
  it('when an account is renamed while users take contact roles, then neither change is lost', async () => {
    for (let round = 0; round < 20; round += 1) {
      const accountId = newId('acct');
      await store.putAccount(accountId, { name: 'Before', sla: 'standard' });

      await Promise.all([
        store.putAccount(accountId, { name: 'Renamed', sla: 'managed_platform' }),
        store.putUser(accountId, 'admin', { name: 'Admin', permissions: [...PERMISSIONS], roles: ['admin_contact'] }),
        store.putUser(accountId, 'bill', { name: 'Bill', permissions: ['manage_billing'], roles: ['billing_contact'] }),
      ]);

      expect(await store.requireAccount(accountId)).toMatchObject({
        id: accountId,
        name: 'Renamed',
        sla: 'managed_platform',
        contacts: { admin_contact: 'admin', billing_contact: 'bill' },
      });
      expect(await userIds(accountId)).toEqual(['admin', 'bill']);
    }
  });

  it('when a contact is deleted while the role is being moved away, then the user is never left holding a deleted role', async () => {
    for (let round = 0; round < 20; round += 1) {
      const accountId = newId('acct');
      await store.putAccount(accountId, { name: 'A', sla: 'standard' });
      await store.putUser(accountId, 'old', { name: 'Old', permissions: ['manage_billing'], roles: ['billing_contact'] });

      const [moved, deleted] = await Promise.allSettled([
        store.putUser(accountId, 'new', { name: 'New', permissions: ['manage_billing'], roles: ['billing_contact'] }),
        store.deleteUser(accountId, 'old'),
      ]);

      expect(moved.status).toBe('fulfilled');
      const account = await store.requireAccount(accountId);
      expect(account.contacts.billing_contact).toBe('new');
      expect((await userIds(accountId)).includes('old')).toBe(deleted.status === 'rejected');
    }
  });
});

describe('directory writes delivered late', () => {
  it('when Redis runs a write only after its deadline, then it changes nothing', async () => {
    const accountId = newId('acct');
    await store.putAccount(accountId, { name: 'Kept', sla: 'standard' });
    const changeKeys = [...PIN_KEYS, keys.directoryAccounts, keys.directoryUsers, keys.directoryUserIndex];
    const past = Date.now() - 1000;

    // The store's own scripts, sent raw as a write delayed past its deadline reaches Redis.
    const script = (file: string) => defineScript(t.redis, new URL(`../../src/directory/lua/${file}`, import.meta.url), asUnknown);

    expect(await script('put-account-9.lua')(changeKeys, [past, accountId, 'Late', 'none', '', '1'])).toEqual(['late']);
    expect(await script('put-user-9.lua')(changeKeys, [past, accountId, 'u1', '{"name":"U","permissions":[]}', '0', '', '0', '0', '', '1'])).toEqual(['late']);
    expect(await script('delete-account-9.lua')(changeKeys, [past, accountId])).toEqual(['late']);

    expect(await store.requireAccount(accountId)).toMatchObject({ name: 'Kept', sla: 'standard' });
    expect(await userIds(accountId)).toEqual([]);
  });
});

describe('revisions', () => {
  it('when an account is deleted and created again, then its revision keeps going up', async () => {
    const accountId = newId('acct');
    const first = await store.putAccount(accountId, { name: 'A', sla: 'managed_platform' });
    await store.putUser(accountId, 'u1', { name: 'U', permissions: [] });
    await store.deleteAccount(accountId);
    const again = await store.putAccount(accountId, { name: 'A', sla: 'standard' });
    expect(again.created).toBe(true);
    expect(again.account.rev).toBeGreaterThan(first.account.rev);
    const user = await store.putUser(accountId, 'u1', { name: 'U', permissions: [] });
    expect(user.user.rev).toBeGreaterThan(again.account.rev);
  });

  it('when a write changes nothing, then the revision stays', async () => {
    const accountId = newId('acct');
    const first = await store.putAccount(accountId, { name: 'A', sla: 'standard' });
    const same = await store.putAccount(accountId, { name: 'A', sla: 'standard' });
    expect(same.account.rev).toBe(first.account.rev);
    const user = await store.putUser(accountId, 'u1', { name: 'U', permissions: ['manage_support'] });
    const sameUser = await store.putUser(accountId, 'u1', { name: 'U', permissions: ['manage_support'] });
    expect(sameUser).toEqual({ created: false, user: user.user });
  });
});
