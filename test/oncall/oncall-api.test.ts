import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const ops = () => ({
  get: () => request(t.app).get('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`),
  put: (body: unknown) => request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send(body as object),
});

describe('the on-call escalation list', () => {
  it('when nothing was set, then the list is empty', async () => {
    expect((await ops().get()).body).toEqual([]);
  });

  it('when an operator puts the list, then it is returned in the same order', async () => {
    const list = [
      { id: 'alice', name: 'Alice', phone: '+447700900101' },
      { id: 'bob', name: 'Bob', phone: '+447700900102' },
    ];
    expect((await ops().put(list)).status).toBe(200);
    expect((await ops().get()).body).toEqual(list.map((sysadmin) => ({ ...sysadmin, hasPin: false })));
  });

  it('when a control panel key is used, then 403 forbidden', async () => {
    const res = await request(t.app).get('/v1/oncall').set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('when an operator key is used on the control panel API, then 403 forbidden', async () => {
    const res = await request(t.app).get('/v1/accounts/a/support-line').set('Authorization', `Bearer ${OPS_KEY}`);
    expect(res.status).toBe(403);
  });

  it.each([
    [[{ id: 'a', name: 'A', phone: '07700 900101' }], '0.phone'],
    [[{ id: 'a', name: 'A', phone: '+447700900101' }, { id: 'a', name: 'B', phone: '+447700900102' }], ''],
    [[{ id: 'a', name: 'A', phone: '+447700900101' }, { id: 'b', name: 'B', phone: '+447700900101' }], ''],
    [{ id: 'a', name: 'A', phone: '+447700900101' }, ''],
  ])('when the list is %j, then 422', async (body, path) => {
    const res = await ops().put(body);
    expect(res.status).toBe(422);
    const paths = (res.body as { error: { details: { path: string[] }[] } }).error.details.map((d) => d.path.slice(1).join('.'));
    expect(paths).toContain(path);
  });
});

describe('two operators changing the rota at once', () => {
  const sam = { id: 'sam', name: 'Sam', phone: '+447700900201' };
  const kim = { id: 'kim', name: 'Kim', phone: '+447700900202' };
  const putIf = (body: unknown, etag: string) =>
    request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).set('If-Match', etag).send(body as object);

  it('when a change is sent with the ETag read before another operator\'s change, then 412 and the other change stays', async () => {
    const read = (await ops().put([sam, kim])).headers.etag ?? '';
    expect(read).toMatch(/^"r\d+"$/);
    expect((await ops().get()).headers.etag).toBe(read);
    // Another operator moves Kim to the top.
    expect((await putIf([kim, sam], read)).status).toBe(200);

    const late = await putIf([sam], read);
    expect(late.status).toBe(412);
    expect(late.body).toMatchObject({ error: { code: 'precondition_failed' } });
    expect((await ops().get()).body).toEqual([kim, sam].map((s) => ({ ...s, hasPin: false })));
  });

  it('when ten operators send a change made from the same read, then exactly one is applied', async () => {
    const read = (await ops().put([sam])).headers.etag ?? '';
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => putIf([sam, { ...kim, name: `Kim ${String(i)}` }], read)));
    expect(answers.map((res) => res.status).sort()).toEqual([200, ...Array.from({ length: 9 }, () => 412)]);
    const applied = answers.find((res) => res.status === 200);
    expect((await ops().get()).body).toEqual((applied?.body as unknown[]).map((s) => ({ ...(s as object), hasPin: false })));
  });

  it('when no If-Match is sent, then the change is applied as before (the last one stays)', async () => {
    await ops().put([sam]);
    expect((await ops().put([kim])).status).toBe(200);
    expect((await ops().get()).body).toEqual([{ ...kim, hasPin: false }]);
  });
});
