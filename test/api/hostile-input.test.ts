import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../src/directory/directory-schema.js';
import { api, givenAccount } from '../helpers/givens.js';
import { logLines } from '../helpers/leak-watch.js';
import { buildTestApp, CONTROL_PANEL_KEY } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

type ErrorBody = { error: { code: string; message: string; details?: { path: string[] }[] } };
const errorOf = (res: { body: unknown }) => (res.body as ErrorBody).error;
const errorLogsSince = (mark: number) => logLines.slice(mark).filter((line) => /"level":50/.test(line));

describe('requests the API cannot read are the client’s mistake', () => {
  it('when a gzip body is corrupt, then 400 invalid_body in the error shape and no error log', async () => {
    const mark = logLines.length;
    const gzip = gzipSync(Buffer.from(JSON.stringify({ name: 'Acme', sla: 'standard' })));
    const res = await request(t.app)
      .put('/v1/accounts/acme-gz')
      .set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(Buffer.concat([gzip.subarray(0, 12), Buffer.from('not deflate data')]));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_body', message: 'The request body could not be decompressed.' } });
    expect(errorLogsSince(mark)).toEqual([]);
  });

  it('when a valid gzip body is sent, then it is read as usual', async () => {
    // Raw HTTP: supertest does not pass a pre-compressed body through untouched.
    const server = createServer(t.app).listen(0);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const body = gzipSync(Buffer.from(JSON.stringify({ name: 'Acme', sla: 'standard' })));
    const headers = {
      Authorization: `Bearer ${CONTROL_PANEL_KEY}`,
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
    };
    const res = await fetch(`http://127.0.0.1:${String(port)}/v1/accounts/acme-gz-ok`, { method: 'PUT', headers, body });
    server.close();
    expect(res.status).toBe(201);
  });

  it.each(['/v1/accounts/%E0%A4%A', '/v1/accounts/%ZZ/users/u1', '/v1/accounts/a1/users/%C0%80/pin'])(
    'when the path %s has a malformed percent-encoding, then 400 invalid_path and no error log',
    async (path) => {
      const mark = logLines.length;
      const res = await api(t.app).put(path, { name: 'A', sla: 'standard', permissions: [] });
      const got = await api(t.app).get(path);
      for (const answer of [res, got]) {
        expect(answer.status).toBe(400);
        expect(errorOf(answer)).toEqual({ code: 'invalid_path', message: 'The request path has a malformed percent-encoding.' });
      }
      expect(errorLogsSince(mark)).toEqual([]);
    },
  );
});

describe('names', () => {
  const userPath = (accountId: string) => `/v1/accounts/${accountId}/users/u1`;

  it.each([
    ['a vertical tab', 'Evil\u000bCorp'],
    ['a newline', 'Evil\nCorp'],
    ['a NUL', 'Evil\u0000Corp'],
    ['a C1 control', 'Evil\u0085Corp'],
    ['a lone surrogate', 'Evil\ud800Corp'],
    ['a bidi override', 'Evil\u202eprocorp'],
    ['a line separator', 'Evil\u2028Corp'],
    ['only spaces', '   '],
    ['too many characters', 'x'.repeat(MAX_NAME_LENGTH + 1)],
  ])('when an account or user name has %s, then 422 validation_failed naming body.name', async (_what, name) => {
    const accountId = await givenAccount(t.app);
    const account = await api(t.app).put(`/v1/accounts/${accountId}`, { name, sla: 'standard' });
    const user = await api(t.app).put(userPath(accountId), { name, permissions: [] });
    for (const res of [account, user]) {
      expect(res.status).toBe(422);
      expect(errorOf(res).code).toBe('validation_failed');
      expect(errorOf(res).details?.map((detail) => detail.path.join('.'))).toEqual(['body.name']);
    }
  });

  it('when a name has surrounding spaces, an emoji or accents, then it is kept, trimmed and in NFC', async () => {
    const accountId = await givenAccount(t.app);
    const res = await api(t.app).put(userPath(accountId), { name: '  Zoë 🚀 Cafe\u0301  ', permissions: [] });
    expect(res.status).toBe(201);
    expect((res.body as { name: string }).name).toBe('Zoë 🚀 Café');
    const longest = await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'x'.repeat(MAX_NAME_LENGTH), sla: 'standard' });
    expect(longest.status).toBe(200);
  });
});
