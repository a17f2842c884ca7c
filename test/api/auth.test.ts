import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, CONTROL_PANEL_KEY, OLD_CONTROL_PANEL_KEY } from '../helpers/test-app.js';

const open = await buildTestApp();
// The test client connects from 127.0.0.1; only 10.0.0.0/8 may use control panel keys.
const fenced = await buildTestApp({ env: { CONTROL_PANEL_ALLOWED_CIDRS: '10.0.0.0/8' } });
// Behind one proxy hop: the client address is the last X-Forwarded-For entry.
const proxied = await buildTestApp({ env: { CONTROL_PANEL_ALLOWED_CIDRS: '10.0.0.0/8', TRUST_PROXY: '1' } });
afterAll(async () => {
  await Promise.all([open.close(), fenced.close(), proxied.close()]);
});

const supportLine = (app: typeof open.app, key: string) =>
  request(app).get('/v1/accounts/nobody/support-line').set('Authorization', `Bearer ${key}`);

describe('bearer keys', () => {
  it('when keys are being rotated, then both the old and the new key are accepted', async () => {
    expect((await supportLine(open.app, CONTROL_PANEL_KEY)).status).toBe(404);
    expect((await supportLine(open.app, OLD_CONTROL_PANEL_KEY)).status).toBe(404);
  });

  it('when a key is a prefix or an extension of a real key, then it is refused', async () => {
    expect((await supportLine(open.app, CONTROL_PANEL_KEY.slice(0, -1))).status).toBe(401);
    expect((await supportLine(open.app, `${CONTROL_PANEL_KEY}x`)).status).toBe(401);
  });

  it('when the key is used from outside its allowed networks, then 403 forbidden', async () => {
    const res = await supportLine(fenced.app, CONTROL_PANEL_KEY);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('when X-Forwarded-For is sent but no proxy is trusted, then it is ignored', async () => {
    const res = await supportLine(fenced.app, CONTROL_PANEL_KEY).set('X-Forwarded-For', '10.1.2.3');
    expect(res.status).toBe(403);
  });

  it('when one proxy hop is trusted, then the address it forwards decides', async () => {
    const inside = await supportLine(proxied.app, CONTROL_PANEL_KEY).set('X-Forwarded-For', '10.1.2.3');
    expect(inside.status).toBe(404);
    // A client cannot smuggle an allowed address in front of the one the proxy appended.
    const spoofed = await supportLine(proxied.app, CONTROL_PANEL_KEY).set('X-Forwarded-For', '10.1.2.3, 192.0.2.7');
    expect(spoofed.status).toBe(403);
  });
});
