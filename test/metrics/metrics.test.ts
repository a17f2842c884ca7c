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

/** The value of one sample of the Prometheus text, or 0 when absent. */
async function sample(name: string, labels = ''): Promise<number> {
  const text = (await request(t.internal).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('GET /metrics', () => {
  it('when a call is made, then the webhook, PIN, call, queue, paging and live-PIN metrics move', async () => {
    await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([{ id: 'sam', name: 'Sam', phone: '+447700900999' }]);
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const other = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, other);
    expect(await sample('callgate_live_pins')).toBe(2);
    expect(await sample('callgate_random_guess_hit_probability')).toBeCloseTo(2 / 1e8, 12);

    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin('00000000', 1);
    expect(twimlOf(await call.pin(pin, 2))).toContain('<Enqueue');
    await eventually(async () => {
      expect(await sample('callgate_paging_attempts_total', 'result="placed"')).toBe(1);
    });
    await call.queueResult('hangup', 12);

    expect(await sample('callgate_webhook_duration_seconds_count', 'route="/pin"')).toBe(2);
    expect(await sample('callgate_webhook_duration_seconds_count', 'route="/voice"')).toBe(1);
    expect(await sample('callgate_pin_checks_total', 'result="verified"')).toBe(1);
    expect(await sample('callgate_pin_checks_total', 'result="not_recognised"')).toBe(1);
    expect(await sample('callgate_call_events_total', 'type="enqueued",reason=""')).toBe(1);
    expect(await sample('callgate_call_events_total', 'type="abandoned",reason=""')).toBe(1);
    expect(await sample('callgate_queue_wait_seconds_sum')).toBe(12);
    expect(await sample('callgate_live_pins')).toBe(1);
    expect(await sample('callgate_line_alarm')).toBe(0);
    expect(await sample('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});
