import { afterAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const userPath = (accountId: string, userId: string) => `/v1/accounts/${accountId}/users/${userId}`;
const pinActive = async (accountId: string, userId: string) =>
  ((await api(t.app).get(pinPath(accountId, userId))).body as { active: boolean }).active;

describe('accounts and users', () => {
  it('when an account is created and then updated, then 201 and then 200 with the stored values', async () => {
    const created = await api(t.app).put('/v1/accounts/acme-1', { name: 'Acme', sla: 'standard' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'acme-1',
      name: 'Acme',
      sla: 'standard',
      contacts: { admin_contact: null, billing_contact: null },
    });
    const updated = await api(t.app).put('/v1/accounts/acme-1', { name: 'Acme Ltd', sla: 'managed_platform' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Acme Ltd', sla: 'managed_platform' });
  });

  it('when a user is created with roles, then the account shows them as its contacts', async () => {
    const accountId = await givenAccount(t.app);
    const res = await api(t.app).put(userPath(accountId, 'ada'), {
      name: 'Ada',
      permissions: ALL_PERMISSIONS,
      roles: ['admin_contact', 'billing_contact'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 'ada', accountId, name: 'Ada', permissions: ALL_PERMISSIONS, roles: ['admin_contact', 'billing_contact'] });
    const account = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Renamed', sla: 'standard' });
    expect(account.body).toMatchObject({ contacts: { admin_contact: 'ada', billing_contact: 'ada' } });
  });

  it('when a user is put on an unknown account, then 404 account_not_found', async () => {
    const res = await api(t.app).put(userPath('no-such-account', 'u1'), { name: 'U', permissions: [] });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'account_not_found' } });
  });
});

describe('contact rules', () => {
  it('when the admin contact role is given to a user without all five permissions, then 422 names what is missing', async () => {
    const accountId = await givenAccount(t.app);
    const res = await api(t.app).put(userPath(accountId, 'bob'), {
      name: 'Bob',
      permissions: ['manage_support', 'manage_billing'],
      roles: ['admin_contact'],
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'contact_requires_permissions',
        message: expect.stringContaining('admin_contact requires manage_users') as unknown,
        details: [{ role: 'admin_contact', missing: ['manage_users', 'manage_services', 'purchase_services'] }],
      },
    });
  });

  it('when the billing contact role is given without manage_billing, then 422', async () => {
    const accountId = await givenAccount(t.app);
    const res = await api(t.app).put(userPath(accountId, 'bill'), {
      name: 'Bill',
      permissions: ['manage_support'],
      roles: ['billing_contact'],
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'contact_requires_permissions' } });
  });

  it('when the billing contact is given only manage_billing, then it is accepted', async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { permissions: ['manage_billing'], roles: ['billing_contact'] });
  });

  it('when a role is assigned to another user, then it moves and the first user loses it', async () => {
    const accountId = await givenAccount(t.app);
    const first = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    const second = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });

    const firstAgain = await api(t.app).put(userPath(accountId, first), { name: 'First', permissions: ['manage_support'] });
    expect(firstAgain.status).toBe(200);
    expect(firstAgain.body).toMatchObject({ roles: [] });
    const account = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'A', sla: 'standard' });
    expect(account.body).toMatchObject({ contacts: { admin_contact: second } });
  });

  it('when a contact is updated without a role it holds, then 409 contact_role_cannot_be_removed', async () => {
    const accountId = await givenAccount(t.app);
    const admin = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    const res = await api(t.app).put(userPath(accountId, admin), { name: 'Admin', permissions: ALL_PERMISSIONS, roles: [] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'contact_role_cannot_be_removed', details: [{ role: 'admin_contact' }] } });
  });

  it('when the admin contact would lose a permission, then 422 and nothing changes', async () => {
    const accountId = await givenAccount(t.app);
    const admin = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    const res = await api(t.app).put(userPath(accountId, admin), { name: 'Admin', permissions: ['manage_support'] });
    expect(res.status).toBe(422);
    const unchanged = await api(t.app).put(userPath(accountId, admin), { name: 'Admin', permissions: ALL_PERMISSIONS });
    expect(unchanged.body).toMatchObject({ roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
  });

  it('when a contact is deleted, then 409 contact_cannot_be_deleted, and after the role moves the delete works', async () => {
    const accountId = await givenAccount(t.app);
    const billing = await givenUser(t.app, accountId, { permissions: ['manage_billing'], roles: ['billing_contact'] });
    const res = await api(t.app).delete(userPath(accountId, billing));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'contact_cannot_be_deleted' } });

    await givenUser(t.app, accountId, { permissions: ['manage_billing'], roles: ['billing_contact'] });
    expect((await api(t.app).delete(userPath(accountId, billing))).status).toBe(204);
  });

});

describe('revoking PINs when a user may no longer phone support', () => {
  it('when manage_support is taken away, then the live PIN is revoked at once', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, userId);
    await api(t.app).put(userPath(accountId, userId), { name: 'U', permissions: ['manage_billing'] });
    expect(await pinActive(accountId, userId)).toBe(false);
  });

  it('when another field of the user changes, then the PIN stays', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, userId);
    await api(t.app).put(userPath(accountId, userId), { name: 'New name', permissions: ['manage_support', 'manage_billing'] });
    expect(await pinActive(accountId, userId)).toBe(true);
  });

  it('when the user is deleted, then the PIN is revoked, and a new user of that id has none', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, userId);
    expect((await api(t.app).delete(userPath(accountId, userId))).status).toBe(204);
    await givenUser(t.app, accountId, { id: userId });
    expect(await pinActive(accountId, userId)).toBe(false);
  });

  it('when the account is deleted, then its users and every PIN are gone', async () => {
    const accountId = await givenAccount(t.app);
    const users = [await givenUser(t.app, accountId), await givenUser(t.app, accountId)];
    for (const userId of users) await givenPin(t.app, accountId, userId);

    expect((await api(t.app).delete(`/v1/accounts/${accountId}`)).status).toBe(204);
    expect((await api(t.app).get(pinPath(accountId, users[0] ?? ''))).status).toBe(404);
    await givenAccount(t.app, { id: accountId });
    for (const userId of users) {
      await givenUser(t.app, accountId, { id: userId });
      expect(await pinActive(accountId, userId)).toBe(false);
    }
  });

  it('when the account moves to a tier without phone support, then every user loses their PIN', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const users = [await givenUser(t.app, accountId), await givenUser(t.app, accountId)];
    for (const userId of users) await givenPin(t.app, accountId, userId);

    await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Downgraded', sla: 'none' });
    for (const userId of users) expect(await pinActive(accountId, userId)).toBe(false);
  });

  it('when the account moves between tiers with phone support, then PINs stay', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const userId = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, userId);
    await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'A', sla: 'standard' });
    expect(await pinActive(accountId, userId)).toBe(true);
  });
});
