import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createPinStore } from '../../src/pins/pin-store.js';
import { startPrivateRedis } from '../../tools/private-redis.js';
import { api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

// This file stops, freezes and restarts Redis, so it has a Redis of its own (persistent, as production should be).
const redis = await startPrivateRedis({ persistent: true });
const t = await buildTestApp({ redisUrl: redis.url });
afterAll(async () => {
  await t.close();
  await redis.stop();
});

const pinStore = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function untilReady(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if ((await request(t.internal).get('/readyz')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not recover');
}

describe('when Redis goes away', () => {
  it('when Redis is stopped, then the API answers 503 unavailable within 2 s, and recovers with every PIN when it is back', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);

    await redis.stop();
    const { result: res, ms } = await timed(() => api(t.app).post(pinPath(accountId, userId)));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) as unknown } });
    expect(ms).toBeLessThan(2000);
    expect((await request(t.internal).get('/readyz')).status).toBe(503);
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    const metrics = await request(t.internal).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^callgate_redis_errors_total\{kind="unavailable"\} [1-9]/m);

    await redis.start();
    await untilReady();
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toMatchObject({ active: true });
    expect(await pinStore.find(pin)).toMatchObject({ accountId, userId });
  });

  it('when Redis hangs, then the API answers 503 within 2 s and works again once Redis does', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);

    redis.pause();
    try {
      const { result: res, ms } = await timed(() => api(t.app).post(pinPath(accountId, userId)));
      expect(res.status).toBe(503);
      expect(ms).toBeLessThan(2000);
      const ready = await timed(() => request(t.internal).get('/readyz'));
      expect(ready.result.status).toBe(503);
      expect(ready.ms).toBeLessThan(2000);
    } finally {
      redis.resume();
    }
    await untilReady();
    expect((await api(t.app).post(pinPath(accountId, userId))).status).toBe(201);
  });

  it('when issuing a PIN times out on a hung Redis, then no PIN appears later', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);

    redis.pause();
    try {
      await expect(pinStore.issue({ accountId, userId })).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      redis.resume();
    }
    await untilReady();
    expect(await pinStore.status({ accountId, userId })).toEqual({ active: false, expiresAt: null });
  });
});

describe('when Redis goes away in the middle of a call', () => {
  const APOLOGY = /^We are sorry, the emergency support line has a problem right now\. Please open a ticket in the control panel/;

  it('when Redis is stopped after the PIN prompt, then the caller hears the apology within 2 s (HTTP 200), and the next call works once Redis is back', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config);
    expect(twimlOf(await call.voice())).toContain('<Gather');

    await redis.stop();
    const { result, ms } = await timed(() => call.pin(pin));
    expect(spoken(twimlOf(result))[0]).toMatch(APOLOGY);
    expect(ms).toBeLessThan(2000);
    const incoming = await timed(() => placeCall(t.app, t.config).voice());
    expect(spoken(twimlOf(incoming.result))[0]).toMatch(APOLOGY);
    expect(incoming.ms).toBeLessThan(2000);

    await redis.start();
    await untilReady();
    const again = placeCall(t.app, t.config);
    await again.voice();
    expect(twimlOf(await again.pin(pin))).toContain('<Enqueue');
  });

  it('when Redis hangs at the PIN step, then the apology within 2 s, and the PIN still works afterwards', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config);
    await call.voice();

    redis.pause();
    try {
      const { result, ms } = await timed(() => call.pin(pin));
      expect(spoken(twimlOf(result))[0]).toMatch(APOLOGY);
      expect(ms).toBeLessThan(2000);
    } finally {
      redis.resume();
    }
    await untilReady();
    expect(await pinStore.find(pin)).toMatchObject({ accountId, userId });
  });
});
