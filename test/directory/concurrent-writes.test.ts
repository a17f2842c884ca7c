import { afterAll, describe, expect, it } from 'vitest';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import { ALL_PERMISSIONS, api, givenAccount, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const store = createDirectoryStore(t.redis);

const CONCURRENT = 50;
const userPath = (accountId: string, userId: string) => `/v1/accounts/${accountId}/users/${userId}`;
const ids = Array.from({ length: CONCURRENT }, (_, i) => `user-${String(i).padStart(2, '0')}`);
// ETags name the account's revision, which only goes up: the highest one is the last write.
const revisionOf = (res: { headers: Record<string, string> }) => Number(/\d+/.exec(res.headers.etag ?? '')?.[0]);

describe('the directory under concurrent writes', () => {
  it(`when ${String(CONCURRENT)} distinct users are put into one account at once, then every PUT succeeds and each user is as written`, async () => {
    const accountId = await givenAccount(t.app);
    const responses = await Promise.all(
      ids.map((id, i) =>
        api(t.app).put(userPath(accountId, id), { name: `Name ${String(i)}`, permissions: i % 2 === 0 ? ['manage_support'] : [] }),
      ),
    );
    expect(responses.map((res) => res.status)).toEqual(ids.map(() => 201));

    const users = await store.listUsers(accountId, { limit: 100 });
    expect(users.map(({ id, name, permissions }) => ({ id, name, permissions }))).toEqual(
      ids.map((id, i) => ({ id, name: `Name ${String(i)}`, permissions: i % 2 === 0 ? ['manage_support'] : [] })),
    );
  });

  it(`when the admin contact role is moved to ${String(CONCURRENT)} users at once, then all succeed and exactly the last one holds it`, async () => {
    const accountId = await givenAccount(t.app);
    for (const id of ids) await givenUser(t.app, accountId, { id, permissions: ALL_PERMISSIONS });

    const responses = await Promise.all(
      ids.map((id) => api(t.app).put(userPath(accountId, id), { name: `Admin ${id}`, permissions: ALL_PERMISSIONS, roles: ['admin_contact'] })),
    );
    expect(responses.map((res) => res.status)).toEqual(ids.map(() => 200));

    const last = responses.reduce((a, b) => (revisionOf(a) > revisionOf(b) ? a : b));
    const lastId = (last.body as { id: string }).id;
    expect((await store.requireAccount(accountId)).contacts).toEqual({ admin_contact: lastId });
    const holders = (await store.listUsers(accountId, { limit: 100 })).filter((user) => user.roles.includes('admin_contact'));
    expect(holders.map((user) => user.id)).toEqual([lastId]);
  });

  it(`when one user is changed ${String(CONCURRENT)} times at once, then the changes serialise and the last write stays`, async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const responses = await Promise.all(
      ids.map((_, i) => api(t.app).put(userPath(accountId, userId), { name: `Take ${String(i)}`, permissions: ['manage_support'] })),
    );
    expect(responses.map((res) => res.status)).toEqual(ids.map(() => 200));
    expect(new Set(responses.map(revisionOf)).size).toBe(CONCURRENT);

    const last = responses.reduce((a, b) => (revisionOf(a) > revisionOf(b) ? a : b));
    const user = await store.requireUser(accountId, userId);
    expect(user).toMatchObject({ name: (last.body as { name: string }).name, rev: revisionOf(last) });
  });
});
