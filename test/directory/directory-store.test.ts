import { afterAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/directory/directory-schema.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import { newId } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const store = createDirectoryStore(t.redis);

describe('directory store under concurrent changes', () => {
  it('when an account is renamed while a user takes a contact role, then neither change is lost', async () => {
    for (let round = 0; round < 20; round += 1) {
      const accountId = newId('acct');
      await store.putAccount(accountId, { name: 'Before', sla: 'standard' });

      await Promise.all([
        store.putAccount(accountId, { name: 'Renamed', sla: 'managed_platform' }),
        store.putUser(accountId, 'admin', { name: 'Admin', permissions: [...PERMISSIONS], roles: ['admin_contact'] }),
        store.putUser(accountId, 'bill', { name: 'Bill', permissions: ['manage_billing'], roles: ['billing_contact'] }),
      ]);

      expect(await store.getAccount(accountId)).toEqual({
        id: accountId,
        name: 'Renamed',
        sla: 'managed_platform',
        contacts: { admin_contact: 'admin', billing_contact: 'bill' },
      });
      expect((await store.userIds(accountId)).sort()).toEqual(['admin', 'bill']);
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
      const account = await store.getAccount(accountId);
      expect(account?.contacts.billing_contact).toBe('new');
      const oldStillThere = (await store.userIds(accountId)).includes('old');
      expect(oldStillThere).toBe(deleted.status === 'rejected');
    }
  });
});
