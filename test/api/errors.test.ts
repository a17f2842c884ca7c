import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonErrors } from '../../src/http/json-errors.js';
import { createLogger } from '../../src/logger.js';
import { api, givenAccount, givenUser, pinPath } from '../helpers/givens.js';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

type ErrorBody = { error: { code: string; message: string; details?: unknown[] } };
const errorOf = (res: { body: unknown }) => (res.body as ErrorBody).error;

describe('every API error comes in the one JSON shape', () => {
  it('when the body is broken JSON, then 400 invalid_json', async () => {
    const res = await request(t.app)
      .put('/v1/accounts/a1')
      .set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`)
      .set('Content-Type', 'application/json')
      .send('{"name": "Acme", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.' } });
  });

  it('when there is no key, or an unknown one, then 401 unauthorized with a Bearer challenge', async () => {
    const none = await request(t.app).get('/v1/accounts/a1/support-line');
    const wrong = await request(t.app).get('/v1/accounts/a1/support-line').set('Authorization', 'Bearer not-a-key-at-all-123');
    const basic = await request(t.app).get('/v1/accounts/a1/support-line').set('Authorization', `Basic ${CONTROL_PANEL_KEY}`);
    for (const res of [none, wrong, basic]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(errorOf(res).code).toBe('unauthorized');
    }
  });

  it('when an operator key calls the control panel API, then 403 forbidden', async () => {
    const res = await request(t.app).get('/v1/accounts/a1/support-line').set('Authorization', `Bearer ${OPS_KEY}`);
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe('forbidden');
  });

  it('when the account plan has no phone support, then a PIN is refused with 403 sla_not_eligible', async () => {
    const accountId = await givenAccount(t.app, { sla: 'none' });
    const userId = await givenUser(t.app, accountId);
    const res = await api(t.app).post(pinPath(accountId, userId));
    expect(res.status).toBe(403);
    expect(errorOf(res)).toMatchObject({ code: 'sla_not_eligible', message: expect.stringContaining('none') as unknown });
  });

  it('when the user lacks manage_support, then a PIN is refused with 403 permission_required', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { permissions: ['manage_billing'] });
    const res = await api(t.app).post(pinPath(accountId, userId));
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe('permission_required');
  });

  it('when the account, the user or the route does not exist, then 404 with the matching code', async () => {
    const accountId = await givenAccount(t.app);
    expect(errorOf(await api(t.app).post(pinPath('ghost', 'u1')))).toMatchObject({ code: 'account_not_found' });
    expect(errorOf(await api(t.app).post(pinPath(accountId, 'ghost')))).toMatchObject({ code: 'user_not_found', message: `No user ghost in account ${accountId}.` });
    expect(errorOf(await api(t.app).get(pinPath(accountId, 'ghost')))).toMatchObject({ code: 'user_not_found' });
    expect(errorOf(await api(t.app).delete(`/v1/accounts/${accountId}/users/ghost`))).toMatchObject({ code: 'user_not_found' });
    expect(errorOf(await api(t.app).delete('/v1/accounts/ghost'))).toMatchObject({ code: 'account_not_found' });
    expect(errorOf(await api(t.app).get('/v1/accounts/ghost/support-line'))).toMatchObject({ code: 'account_not_found' });
    const unknown = await request(t.app).get('/no/such/route');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });

  it('when the body is over 16 KiB, then 413 payload_too_large', async () => {
    const res = await api(t.app).put('/v1/accounts/big', { name: 'x'.repeat(17 * 1024), sla: 'standard' });
    expect(res.status).toBe(413);
    expect(errorOf(res).code).toBe('payload_too_large');
  });

  it('when the body breaks the schema, then 422 validation_failed with the issues as details', async () => {
    const res = await api(t.app).put('/v1/accounts/a1', { name: '', sla: 'platinum', colour: 'red' });
    expect(res.status).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('validation_failed');
    const paths = (error.details as { path: string[] }[]).map((d) => d.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.sla', 'body']));
  });

  it('when a permission is unknown or repeated, then 422', async () => {
    const accountId = await givenAccount(t.app);
    const unknown = await api(t.app).put(`/v1/accounts/${accountId}/users/u1`, { name: 'U', permissions: ['root'] });
    const repeated = await api(t.app).put(`/v1/accounts/${accountId}/users/u1`, {
      name: 'U',
      permissions: ['manage_support', 'manage_support'],
    });
    expect([unknown.status, repeated.status]).toEqual([422, 422]);
  });

  it('when an id does not match the id pattern, then 422 naming the parameter', async () => {
    const res = await api(t.app).put(`/v1/accounts/${'a'.repeat(65)}`, { name: 'A', sla: 'standard' });
    expect(res.status).toBe(422);
    expect(errorOf(res).details).toEqual([expect.objectContaining({ path: ['params', 'accountId'] })]);
    const dotted = await api(t.app).put('/v1/accounts/a.b', { name: 'A', sla: 'standard' });
    expect(dotted.status).toBe(422);
  });

  it('when PINs are requested too often for one user, then 429 rate_limited with Retry-After', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    for (let i = 0; i < 5; i += 1) expect((await api(t.app).post(pinPath(accountId, userId))).status).toBe(201);
    const res = await api(t.app).post(pinPath(accountId, userId));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3600');
    expect(errorOf(res).code).toBe('rate_limited');
  });
});

describe('errors that are not the client\'s', () => {
  it('when code of ours (or a library) fails with an error that carries a 4xx status, then 500 internal_error, logged, not blamed on the client', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const app = express();
    app.use((req, _res, next) => {
      Object.defineProperty(req, 'log', { value: log });
      next();
    });
    app.get('/fails', () => {
      throw Object.assign(new Error('a library failed and set a status'), { status: 400 });
    });
    app.use(jsonErrors);

    const res = await request(app).get('/fails');

    expect(res.status).toBe(500);
    expect(errorOf(res).code).toBe('internal_error');
    expect(lines.some((line) => line.includes('unexpected error') && line.includes('a library failed'))).toBe(true);
  });
});
