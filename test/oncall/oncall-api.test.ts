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
