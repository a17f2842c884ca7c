import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalSentinel } from '../../tools/redis-topologies.js';
import { api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, twimlOf } from '../helpers/twilio-webhooks.js';

// A master, a replica and a Sentinel; the service configured by REDIS_SENTINELS alone.
const topology = await startLocalSentinel();
const t = await buildTestApp({
  env: { REDIS_URL: undefined, REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_NAME: topology.name },
});
afterAll(async () => {
  await t.close();
  topology.stop();
});

describe('on Redis Sentinel', () => {
  it('when the master is killed, then the service answers 503 meanwhile, fails over by itself, and keeps the replicated PINs', async () => {
    const accountId = await givenAccount(t.app);
    const users = [await givenUser(t.app, accountId), await givenUser(t.app, accountId), await givenUser(t.app, accountId)];
    const pins = [];
    for (const userId of users) pins.push(await givenPin(t.app, accountId, userId));

    // Replication is asynchronous: only what the replica has acknowledged survives a crash of the master.
    const master = new Redis({ port: topology.masterPort, host: '127.0.0.1' });
    expect(await master.call('WAIT', '1', '5000')).toBe(1);
    master.disconnect();

    topology.killMaster();
    const killedAt = Date.now();
    const answers: { status: number; ms: number }[] = [];
    for (;;) {
      const started = Date.now();
      const res = await api(t.app).get(pinPath(accountId, users[0] ?? ''));
      answers.push({ status: res.status, ms: Date.now() - started });
      if (res.status === 200) break;
      if (Date.now() - killedAt > 30_000) throw new Error('no failover within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const failoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(`failover: the API answered again ${failoverSeconds.toFixed(1)} s after the master was killed`);

    expect(answers.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2000);
    for (const userId of users) {
      expect((await api(t.app).get(pinPath(accountId, userId))).body).toMatchObject({ active: true });
    }
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin(pins[1] ?? ''))).toContain('<Enqueue');
  });
});
