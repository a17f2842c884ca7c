import { expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ALL_PERMISSIONS, api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import type { TestApp } from '../helpers/test-app.js';
import { placeCall, twimlOf } from '../helpers/twilio-webhooks.js';
import request from 'supertest';
import { OPS_KEY } from '../helpers/test-app.js';

/**
 * The PIN and call-flow contract, through the HTTP API and signed webhooks
 * only, so it runs unchanged on any Redis topology: every multi-key operation
 * must stay within one hash slot, or Redis Cluster refuses it (CROSSSLOT).
 */
export function callContract(app: () => TestApp): void {
  it('PINs: issue, status, re-issue replaces, revoke', async () => {
    const t = app();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const first = await givenPin(t.app, accountId, userId);
    const second = await givenPin(t.app, accountId, userId);
    expect(first).not.toBe(second);
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toMatchObject({ active: true });
    expect((await api(t.app).delete(pinPath(accountId, userId))).status).toBe(204);
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toEqual({ active: false, expiresAt: null });
  });

  it('directory: contact rules and revocation on losing manage_support', async () => {
    const t = app();
    const accountId = await givenAccount(t.app);
    const admin = await givenUser(t.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    expect((await api(t.app).delete(`/v1/accounts/${accountId}/users/${admin}`)).status).toBe(409);
    const userId = await givenUser(t.app, accountId);
    await givenPin(t.app, accountId, userId);
    await api(t.app).put(`/v1/accounts/${accountId}/users/${userId}`, { name: 'U', permissions: [] });
    expect((await api(t.app).get(pinPath(accountId, userId))).body).toMatchObject({ active: false });
    expect((await api(t.app).delete(`/v1/accounts/${accountId}`)).status).toBe(204);
  });

  it('calls: wrong PIN, then the right one enqueues, pages the on-call sysadmin, and the history shows it', async () => {
    const t = app();
    const rest = await startTwilioRestApi();
    try {
      await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([{ id: 'sam', name: 'Sam', phone: '+447700900999' }]);
      const accountId = await givenAccount(t.app);
      const userId = await givenUser(t.app, accountId);
      const pin = await givenPin(t.app, accountId, userId);
      const call = placeCall(t.app, t.config);
      expect(twimlOf(await call.voice())).toContain('<Gather');
      expect(twimlOf(await call.pin('00000000', 1))).toContain('not recognised');
      expect(twimlOf(await call.pin(pin, 2))).toContain('<Enqueue');
      await eventually(async () => {
        const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
        expect(history.body).toEqual({ calls: [expect.objectContaining({ outcome: 'queued', userId })] });
      });
    } finally {
      await rest.close();
    }
  });

  it('one PIN, 20 racing calls: exactly one is enqueued', async () => {
    const t = app();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const calls = Array.from({ length: 20 }, () => placeCall(t.app, t.config));
    const answers = await Promise.all(calls.map(async (call) => twimlOf(await call.pin(pin))));
    expect(answers.filter((xml) => xml.includes('<Enqueue'))).toHaveLength(1);
  });

  it('a change that takes Manage Support away revokes the PIN in the same script: the next call is not put through', async () => {
    const t = app();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const changed = await api(t.app).put(`/v1/accounts/${accountId}/users/${userId}`, { name: 'Grace', permissions: ['manage_billing'] });
    expect(changed.status).toBe(200);
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin(pin))).not.toContain('<Enqueue');
  });
}
