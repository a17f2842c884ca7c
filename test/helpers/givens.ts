import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { expect } from 'vitest';
import { PERMISSIONS, type ContactRole, type Permission } from '../../src/directory/directory-schema.js';
import { createLineCopy } from '../../src/directory/line-copy.js';
import { createLogger } from '../../src/logger.js';
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
 * Changes the directory behind the API as an instance that died half-way through a change
 * leaves it: the line's copy marked as changing (as every change starts), the directory
 * written (`write`, and the account's revision moved on, as the directory's scripts do), and
 * neither the PIN revoked nor the copy settled. Calls must then read the directory itself.
 * (A write with no mark at all is not something callgate does.)
 */
export async function changedByDyingInstance(t: TestApp, accountId: string, write: () => Promise<unknown>): Promise<void> {
  await createLineCopy({ redis: t.redis, log: createLogger({ level: 'silent' }) }).markChange(accountId);
  await write();
  await t.redis.hincrby(`callgate:{a:${accountId}}:account`, 'seq', 1);
}

/**
 * As if `ms` had passed since the changes in flight on the account marked it: each mark on the
 * line's copy set back by `ms`. Marks are timed by Redis' clock, which a test cannot move.
 */
export async function ageChangeMarks(t: TestApp, accountId: string, ms: number): Promise<void> {
  const field = `${accountId}:changes`;
  const marks = (await t.redis.hget('callgate:{line}:directory:accounts', field)) ?? '';
  const aged = marks.replace(/@(\d+)/g, (_match, at: string) => `@${String(Number(at) - ms)}`);
  expect(aged).not.toBe('');
  await t.redis.hset('callgate:{line}:directory:accounts', field, aged);
}

