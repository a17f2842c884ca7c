import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestApp, OPS_KEY } from '../helpers/test-app.js';
import { placeCall, twimlOf } from '../helpers/twilio-webhooks.js';

const rest = await startTwilioRestApi();
const t = await buildTestApp({ env: { TWILIO_API_URL: rest.url } });
afterAll(async () => {
  await t.close();
  await rest.close();
});

/** The line-wide gauges as one scrape shows them. */
async function line(): Promise<Record<string, number>> {
  const text = (await request(t.internal).get('/metrics')).text;
  const value = (name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
  return { waiting: value('callgate_callers_waiting'), onRota: value('callgate_oncall_sysadmins'), free: value('callgate_sysadmins_free') };
}

describe('the line gauges on /metrics', () => {
  it('when the one sysadmin on call is paged for a waiting caller, then one caller waits and nobody is free; when the caller hangs up, nobody waits', async () => {
    expect(await line()).toEqual({ waiting: 0, onRota: 0, free: 0 });
    await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([{ id: 'sam', name: 'Sam', phone: '+447700900999' }]);
    expect(await line()).toEqual({ waiting: 0, onRota: 1, free: 1 });

    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin(pin, 1))).toContain('<Enqueue');
    await eventually(async () => {
      expect(await line()).toEqual({ waiting: 1, onRota: 1, free: 0 });
    });

    await call.queueResult('hangup', 20);
    expect((await line()).waiting).toBe(0);
  });
});
