import { afterAll, describe, expect, it } from 'vitest';
import { api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { createPinStore } from '../../src/pins/pin-store.js';

const t = await buildTestApp();
afterAll(() => t.close());
const store = () => createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });

describe('PIN lifecycle', () => {
  it('when a PIN is issued, then status shows it active until revoked, and never shows the PIN', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);

    const issued = await api(t.app).post(pinPath(accountId, userId));
    expect(issued.status).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const body = issued.body as { pin: string; expiresAt: string; ttlSeconds: number; phoneNumber: string };
    expect(body.pin).toMatch(/^\d{8}$/);
    expect(body.ttlSeconds).toBe(600);
    expect(Date.parse(body.expiresAt)).toBe(t.clock.now() + 600_000);
    expect(body.phoneNumber).toBe('+442071234567');

    const status = await api(t.app).get(pinPath(accountId, userId));
    expect(status.body).toEqual({ active: true, expiresAt: body.expiresAt });
    expect(JSON.stringify(status.body)).not.toContain(body.pin);

    expect((await api(t.app).delete(pinPath(accountId, userId))).status).toBe(204);
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toEqual({ active: false, expiresAt: null });
    expect(await store().find(body.pin)).toBeUndefined();
  });

  it('when a PIN is issued again, then the old PIN no longer works and the new one does', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const first = await givenPin(t.app, accountId, userId);
    const second = await givenPin(t.app, accountId, userId);

    expect(await store().find(first)).toBeUndefined();
    expect(await store().find(second)).toMatchObject({ accountId, userId });
  });

  it('when the TTL has passed, then the PIN is inactive and cannot be used', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);

    t.clock.advance(599_999);
    expect(await store().find(pin)).toMatchObject({ userId });
    t.clock.advance(1);
    expect(await store().find(pin)).toBeUndefined();
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toEqual({ active: false, expiresAt: null });
  });
});
