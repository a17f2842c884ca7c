import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

describe('the public listener and the internal one', () => {
  it('when anyone asks the listener Twilio reaches for /metrics or /readyz, then it answers 404, and /healthz still answers', async () => {
    for (const path of ['/metrics', '/readyz']) {
      const res = await request(t.app).get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('callgate_');
      expect(res.text).not.toContain('attention');
    }
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
  });

  it('when a probe or Prometheus asks the internal listener, then /readyz, /metrics and /healthz answer', async () => {
    expect((await request(t.internal).get('/readyz')).body).toEqual({ status: 'ready', attention: [] });
    const metrics = await request(t.internal).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^callgate_rota_empty 0$/m);
    expect((await request(t.internal).get('/healthz')).body).toEqual({ status: 'ok' });
  });

  it('when the internal listener is asked for the API, the console or a webhook, then it has none of them', async () => {
    for (const path of ['/v1/oncall', '/console', '/openapi.json']) expect((await request(t.internal).get(path)).status, path).toBe(404);
    expect((await request(t.internal).post('/twilio/voice')).status).toBe(404);
  });
});
