import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventReceiver, type EventReceiver } from '../../sim/event-receiver.js';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { eventsOn, eventsSecret, missedCall, until } from './event-helpers.js';

const secret = eventsSecret();
let receiver: EventReceiver;
let t: TestApp;
let events: ReturnType<typeof eventsOn>;

beforeAll(async () => {
  receiver = await startEventReceiver({ secret });
  t = await buildTestApp({ env: { EVENTS_URL: receiver.url, EVENTS_SECRET: secret } });
  // Gives up after 300 ms, so letters die within the test.
  events = eventsOn(t.redis, { url: receiver.url, secret }, { retryForMs: 300 });
  events.start();
});
afterAll(async () => {
  await events.stop();
  await t.close();
  await receiver.close();
});

const ops = () => ({
  get: (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${OPS_KEY}`),
  post: (path: string) => request(t.app).post(path).set('Authorization', `Bearer ${OPS_KEY}`),
});

async function deadLetter() {
  receiver.mode('fail');
  const event = missedCall(events.outbox);
  await events.outbox.emit(event);
  await until(async () => (await events.deadLetters.list(500)).deadLetters.some((letter) => letter.event.id === event.id), 5000);
  return event;
}

describe('dead letters, for operators', () => {
  it('when delivery is given up, then the event is listed with its attempts and last result, and counted in /metrics', async () => {
    const event = await deadLetter();
    const res = await ops().get('/v1/ops/events/dead-letters');
    expect(res.status).toBe(200);
    const body = res.body as { total: number; deadLetters: { event: { id: string }; attempts: number; lastResult: string }[] };
    expect(body.total).toBeGreaterThanOrEqual(1);
    expect(body.deadLetters[0]).toMatchObject({ event, lastResult: 'http_5xx' });
    const metrics = await request(t.internal).get('/metrics');
    expect(metrics.text).toMatch(/^callgate_events_dead_letters [1-9]/m);
    expect(metrics.text).toMatch(/^callgate_events_outbox_size \d+/m);
    expect(metrics.text).toMatch(/^callgate_events_delivery_lag_seconds \d/m);
  });

  it('when an operator redelivers a dead letter, then it leaves the list and the receiver gets it, with the same id', async () => {
    const event = await deadLetter();
    receiver.mode('ok');
    const res = await ops().post(`/v1/ops/events/dead-letters/${event.id}/redeliver`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: event.id, redelivered: true });
    await until(() => receiver.events().some((e) => e.id === event.id));
    const list = (await ops().get('/v1/ops/events/dead-letters')).body as { deadLetters: { event: { id: string } }[] };
    expect(list.deadLetters.map((letter) => letter.event.id)).not.toContain(event.id);
    expect((await ops().post(`/v1/ops/events/dead-letters/${event.id}/redeliver`)).status).toBe(404);
  });

  it('when the id is not a dead letter or not an id at all, then 404 or 422', async () => {
    expect((await ops().post('/v1/ops/events/dead-letters/8e1c5a52-0000-4000-8000-000000000000/redeliver')).status).toBe(404);
    expect((await ops().post('/v1/ops/events/dead-letters/nope/redeliver')).status).toBe(422);
    expect((await ops().get('/v1/ops/events/dead-letters?limit=0')).status).toBe(422);
  });

  it('when the control panel key is used, then the dead letters are forbidden', async () => {
    const res = await request(t.app).get('/v1/ops/events/dead-letters').set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`);
    expect(res.status).toBe(403);
    expect((await request(t.app).get('/v1/ops/events/dead-letters')).status).toBe(401);
  });

  it('when the OpenAPI document is read, then it describes every event type as a webhook and the dead-letter routes', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as {
      webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } } }>;
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.webhooks).sort()).toEqual(['call.connected', 'call.missed', 'callback.connected', 'oncall_pin.failures', 'pin.locked_out', 'voicemail.recorded']);
    const voicemail = doc.webhooks['voicemail.recorded']?.post.requestBody.content['application/json'].schema;
    expect(Object.keys(voicemail?.properties ?? {})).toEqual(['id', 'type', 'occurredAt', 'version', 'data']);
    expect(JSON.stringify(voicemail)).toContain('recordingUrl');
    expect(doc.paths).toHaveProperty(['/v1/ops/events/dead-letters']);
    expect(doc.paths).toHaveProperty(['/v1/ops/events/dead-letters/{eventId}/redeliver']);
  });
});
