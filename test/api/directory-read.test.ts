import { afterAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, api, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const accountPath = (accountId: string) => `/v1/accounts/${accountId}`;
const userPath = (accountId: string, userId: string) => `/v1/accounts/${accountId}/users/${userId}`;
type Page = { users: { id: string }[]; nextCursor: string | null };

describe('reading the directory back', () => {
  it('when an account is read, then it shows name, plan and contacts with an ETag', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const admin = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact', 'billing_contact'] });
    const res = await api(t.app).get(accountPath(accountId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: accountId,
      name: `Account ${accountId}`,
      sla: 'managed_platform',
      contacts: { admin_contact: admin, billing_contact: admin },
    });
    expect(res.headers.etag).toMatch(/^"a\d+"$/);
  });

  it('when a user is read, then it shows name, permissions, roles and whether a PIN is live, never the PIN', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Ada' });
    const before = await api(t.app).get(userPath(accountId, userId));
    expect(before.body).toEqual({ id: userId, accountId, name: 'Ada', permissions: ['manage_support'], roles: [], pinActive: false });
    const pin = await givenPin(t.app, accountId, userId);
    const after = await api(t.app).get(userPath(accountId, userId));
    expect(after.body).toMatchObject({ pinActive: true });
    expect(after.text).not.toContain(pin);
    expect(after.headers.etag).toMatch(/^"u\d+"$/);
  });

  it('when the account or user does not exist, then 404 with the matching code', async () => {
    const accountId = await givenAccount(t.app);
    expect((await api(t.app).get(accountPath('ghost'))).body).toMatchObject({ error: { code: 'account_not_found' } });
    expect((await api(t.app).get(`${accountPath('ghost')}/users`)).body).toMatchObject({ error: { code: 'account_not_found' } });
    expect((await api(t.app).get(userPath(accountId, 'ghost'))).body).toMatchObject({ error: { code: 'user_not_found' } });
  });

  it('when users are listed a page at a time, then every user comes once, in id order, and the last page has no cursor', async () => {
    const accountId = await givenAccount(t.app);
    const ids = ['u05', 'u01', 'u04', 'u02', 'u03'];
    for (const id of ids) await givenUser(t.app, accountId, { id });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const res = await api(t.app).get(`${accountPath(accountId)}/users${query}`);
      expect(res.status).toBe(200);
      const page = res.body as Page;
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((user) => user.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].sort());
  });

  it('when some users of a page have a live PIN, then the list says so for exactly those users', async () => {
    const accountId = await givenAccount(t.app);
    for (const id of ['p1', 'p2', 'p3', 'p4']) await givenUser(t.app, accountId, { id });
    await givenPin(t.app, accountId, 'p2');
    await givenPin(t.app, accountId, 'p4');
    const res = await api(t.app).get(`${accountPath(accountId)}/users`);
    const users = (res.body as { users: { id: string; pinActive: boolean }[] }).users;
    expect(users.map(({ id, pinActive }) => [id, pinActive])).toEqual([
      ['p1', false],
      ['p2', true],
      ['p3', false],
      ['p4', true],
    ]);
  });

  it('when the cursor or limit is not valid, then 422 validation_failed', async () => {
    const accountId = await givenAccount(t.app);
    for (const query of ['?cursor=not-ours', '?limit=0', '?limit=201']) {
      const res = await api(t.app).get(`${accountPath(accountId)}/users${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});

describe('If-Match on PUT', () => {
  it('when the ETag is current, then the PUT applies and answers a new ETag', async () => {
    const accountId = await givenAccount(t.app);
    const { headers } = await api(t.app).get(accountPath(accountId));
    const res = await api(t.app).put(accountPath(accountId), { name: 'New', sla: 'standard' }).set('If-Match', headers.etag ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.etag).not.toBe(headers.etag);
    expect((await api(t.app).get(accountPath(accountId))).headers.etag).toBe(res.headers.etag);
  });

  it('when the user changed since the ETag was read, then 412 precondition_failed and nothing changes', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'First' });
    const stale = (await api(t.app).get(userPath(accountId, userId))).headers.etag ?? '';
    await api(t.app).put(userPath(accountId, userId), { name: 'Second', permissions: ['manage_support'] });

    const res = await api(t.app).put(userPath(accountId, userId), { name: 'Third', permissions: [] }).set('If-Match', stale);
    expect(res.status).toBe(412);
    expect(res.body).toEqual({ error: { code: 'precondition_failed', message: expect.any(String) as unknown } });
    expect((await api(t.app).get(userPath(accountId, userId))).body).toMatchObject({ name: 'Second', permissions: ['manage_support'] });
  });

  it('when a role moves to another user, then the former holder’s ETag changes too', async () => {
    const accountId = await givenAccount(t.app);
    const first = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    const before = (await api(t.app).get(userPath(accountId, first))).headers.etag ?? '';
    await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    const res = await api(t.app).put(userPath(accountId, first), { name: 'F', permissions: ALL_PERMISSIONS }).set('If-Match', before);
    expect(res.status).toBe(412);
  });

  it('when If-Match is * or a list, then * needs the resource to exist and a list needs one current tag', async () => {
    const accountId = await givenAccount(t.app);
    const absent = await api(t.app).put(userPath(accountId, 'nobody'), { name: 'N', permissions: [] }).set('If-Match', '*');
    expect(absent.status).toBe(412);
    const userId = await givenUser(t.app, accountId);
    const etag = (await api(t.app).get(userPath(accountId, userId))).headers.etag ?? '';
    const star = await api(t.app).put(userPath(accountId, userId), { name: 'S', permissions: [] }).set('If-Match', '*');
    expect(star.status).toBe(200);
    const fresh = star.headers.etag ?? '';
    const listed = await api(t.app).put(userPath(accountId, userId), { name: 'L', permissions: [] }).set('If-Match', `${etag}, ${fresh}`);
    expect(listed.status).toBe(200);
    const weak = await api(t.app).put(userPath(accountId, userId), { name: 'W', permissions: [] }).set('If-Match', `W/${listed.headers.etag ?? ''}`);
    expect(weak.status).toBe(412);
  });
});

describe('versions never go back', () => {
  it('when an account is deleted and created again, then an ETag of the old account never matches the new one', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const old = (await api(t.app).get(accountPath(accountId))).headers.etag ?? '';
    expect((await api(t.app).delete(accountPath(accountId))).status).toBe(204);
    await givenAccount(t.app, { id: accountId, sla: 'none' });

    // A delayed write carrying what it saw of the old account must not bring its plan back.
    const delayed = await api(t.app).put(accountPath(accountId), { name: 'Old', sla: 'managed_platform' }).set('If-Match', old);
    expect(delayed.status).toBe(412);
    expect((await api(t.app).get(accountPath(accountId))).body).toMatchObject({ sla: 'none' });
    const revision = (etag: string) => Number(/\d+/.exec(etag)?.[0]);
    expect(revision((await api(t.app).get(accountPath(accountId))).headers.etag ?? '')).toBeGreaterThan(revision(old));
  });
});
