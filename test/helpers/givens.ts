import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { expect } from 'vitest';
import { PERMISSIONS, type ContactRole, type Permission } from '../../src/directory/directory-schema.js';
import { keys } from '../../src/redis/keys.js';
import { rememberSecret } from './leak-watch.js';
import { CONTROL_PANEL_KEY, type TestApp } from './test-app.js';

/** Small factories that set the scene through the API, as the control panel would. */

export const newId = (kind: string): string => `${kind}-${randomUUID().slice(0, 8)}`;

export const api = (app: RequestListener) => ({
  put: (path: string, body: unknown) =>
    request(app).put(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`).send(body as object),
  post: (path: string) => request(app).post(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`),
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`),
  delete: (path: string) => request(app).delete(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`),
});

export async function givenAccount(app: RequestListener, options: { sla?: string; id?: string } = {}): Promise<string> {
  const id = options.id ?? newId('acct');
  const res = await api(app).put(`/v1/accounts/${id}`, { name: `Account ${id}`, sla: options.sla ?? 'standard' });
  expect(res.status).toBe(201);
  return id;
}

export async function givenUser(
  app: RequestListener,
  accountId: string,
  options: { permissions?: readonly Permission[]; roles?: ContactRole[]; id?: string; name?: string } = {},
): Promise<string> {
  const id = options.id ?? newId('user');
  const body = {
    name: options.name ?? `User ${id}`,
    permissions: options.permissions ?? ['manage_support'],
    ...(options.roles === undefined ? {} : { roles: options.roles }),
  };
  const res = await api(app).put(`/v1/accounts/${accountId}/users/${id}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return id;
}

export const ALL_PERMISSIONS = PERMISSIONS;

/** Issues a PIN through the API and remembers it, so the leak check looks for it in every log line. */
export async function givenPin(app: RequestListener, accountId: string, userId: string): Promise<string> {
  const res = await api(app).post(`/v1/accounts/${accountId}/users/${userId}/pin`);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const pin = (res.body as { pin: string }).pin;
  rememberSecret(pin);
  return pin;
}

export const pinPath = (accountId: string, userId: string): string => `/v1/accounts/${accountId}/users/${userId}/pin`;

/**
 * Changes the directory behind the API's back, leaving the PIN live (every change through the API
 * revokes the PINs it takes away in the same step): the call-time checks must still refuse.
 * `user` undefined deletes the user; `sla` sets the account's plan.
 */
export async function changedBehindTheApi(
  t: TestApp,
  accountId: string,
  change: { userId: string; user: { name: string; permissions: string[] } | undefined } | { sla: string },
): Promise<void> {
  if ('sla' in change) {
    const stored = await t.redis.hget(keys.directoryAccounts, accountId);
    expect(stored).not.toBeNull();
    await t.redis.hset(keys.directoryAccounts, accountId, JSON.stringify({ ...(JSON.parse(stored ?? '{}') as object), sla: change.sla }));
    return;
  }
  const field = `${accountId}/${change.userId}`;
  if (change.user === undefined) await t.redis.hdel(keys.directoryUsers, field);
  else await t.redis.hset(keys.directoryUsers, field, `1:${JSON.stringify(change.user)}`);
}
