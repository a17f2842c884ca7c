import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, CONTROL_PANEL_KEY } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, unknown> }>>;
}

describe('GET /openapi.json', () => {
  it('when fetched without a key, then it is an OpenAPI 3.1 document of every control panel route', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/accounts/{accountId}',
      '/v1/accounts/{accountId}/calls',
      '/v1/accounts/{accountId}/support-line',
      '/v1/accounts/{accountId}/users',
      '/v1/accounts/{accountId}/users/{userId}',
      '/v1/accounts/{accountId}/users/{userId}/pin',
      '/v1/oncall',
      '/v1/oncall/{sysadminId}/pin',
      '/v1/ops/attention',
      '/v1/ops/calls',
      '/v1/ops/events/dead-letters',
      '/v1/ops/events/dead-letters/{eventId}/redeliver',
      '/v1/ops/missed-calls/{callSid}/voicemail',
      '/v1/ops/now',
      '/v1/ops/stream',
    ]);
    expect(Object.keys(doc.paths['/v1/accounts/{accountId}/users/{userId}/pin'] ?? {}).sort()).toEqual(['delete', 'get', 'post']);
  });

  it('when an operation takes a path id, then its answer to a malformed one (422, and 400 for a broken encoding) is documented, as the API gives it', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as Doc;
    const withIds = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method, codes: Object.keys(operation.responses) })));
    expect(withIds.length).toBeGreaterThan(10);
    for (const { path, method, codes } of withIds) expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '422']));
    const res = await request(t.app).get('/v1/accounts/not%20an%20id/support-line').set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`);
    expect(res.status).toBe(422);
  });

  it('when the account body is described, then sla lists exactly the tiers of the policy in force', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as Doc;
    const schema = doc.paths['/v1/accounts/{accountId}']?.put?.requestBody?.content['application/json']?.schema;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['name', 'sla'],
      additionalProperties: false,
      properties: { sla: { enum: ['none', 'standard', 'managed_platform'] } },
    });
  });

  it('when the on-call list is described, then it takes an operator key and E.164 phones', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as Doc & {
      paths: Record<string, Record<string, { security: Record<string, unknown>[] }>>;
    };
    expect(doc.paths['/v1/oncall']?.put?.security).toEqual([{ opsKey: [] }]);
    expect(JSON.stringify(doc.paths['/v1/oncall']?.put)).toContain('"pattern":"^\\\\+[1-9]\\\\d{6,14}$"');
  });

  it('when the user body is described, then permissions are the five of the domain', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as Doc;
    const schema = doc.paths['/v1/accounts/{accountId}/users/{userId}']?.put?.requestBody?.content['application/json']?.schema;
    expect(JSON.stringify(schema)).toContain(
      JSON.stringify(['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services']),
    );
  });

  it('when the directory is described, then GETs answer an ETag, PUTs take If-Match and may answer 412', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; responses: Record<string, { headers?: object }> }>>;
    };
    for (const path of ['/v1/accounts/{accountId}', '/v1/accounts/{accountId}/users/{userId}']) {
      const item = doc.paths[path];
      expect(Object.keys(item?.get?.responses['200']?.headers ?? {}), path).toEqual(['ETag']);
      expect(item?.put?.parameters, path).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
      expect(Object.keys(item?.put?.responses ?? {}), path).toContain('412');
    }
    const list = doc.paths['/v1/accounts/{accountId}/users']?.get;
    expect(list?.parameters.map((param) => param.name).sort()).toEqual(['accountId', 'cursor', 'limit']);
    expect(JSON.stringify(doc.paths['/v1/accounts/{accountId}/users/{userId}']?.get)).toContain('pinActive');
  });
});
