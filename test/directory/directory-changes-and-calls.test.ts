import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { createPinStore } from '../../src/pins/pin-store.js';
import { ALL_PERMISSIONS, api, changedBehindTheApi, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { TUESDAY_MORNING } from '../helpers/test-clock.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/*
 * The PIN step reads the PIN's owner in the directory in the same script that checks the PIN and
 * holds the caller, and every directory change revokes the PINs it takes away in its own script
 * (src/directory/lua/includes/directory.lua): a call decides on the directory as it is.
 */
const t = await buildTestApp();
afterAll(() => t.close());
afterEach(() => {
  t.clock.set(TUESDAY_MORNING);
});
const pins = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });
const userPath = (accountId: string, userId: string) => `/v1/accounts/${accountId}/users/${userId}`;
const NOT_RECOGNISED = /not recognised/;

/** A call that types `pin`: the first thing it heard, and who waits for a sysadmin. */
async function callWith(pin: string) {
  const call = placeCall(t.app, t.config, newCaller());
  await call.voice();
  const answer = twimlOf(await call.pin(pin));
  const waiting = await createWaitingCallers(t.redis).get(call.callSid);
  return { said: spoken(answer)[0] ?? '', held: answer.includes('<Enqueue'), caller: waiting?.caller };
}

describe('a call after the control panel changed the directory', () => {
  it('when a user is renamed, then the next call greets them by the new name', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).put(userPath(accountId, userId), { name: 'Grace B. Hopper', permissions: ['manage_support'] })).status).toBe(200);

    const call = await callWith(pin);
    expect(call.said).toMatch(/^Thank you, Grace B\. Hopper\./);
    expect(call.caller).toMatchObject({ userName: 'Grace B. Hopper' });
  });

  it("when the admin contact role moves to another user, then the next caller's briefing names the new admin contact", async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Old', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const successor = await givenUser(t.app, accountId, { name: 'Bea New', permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const pin = await givenPin(t.app, accountId, userId);
    const moved = await api(t.app).put(userPath(accountId, successor), { name: 'Bea New', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    expect(moved.status).toBe(200);

    const call = await callWith(pin);
    expect(call.caller).toMatchObject({ userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Bea New' });
  });

  it("when the plan is changed to one whose line is closed now, then the caller hears that plan's hours and keeps the PIN", async () => {
    // Thursday 25 March 2027, 18:00 London: managed_platform is open until 20:00, standard closed since 17:30.
    t.clock.set('2027-03-25T18:00:00Z');
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Acme', sla: 'standard' })).status).toBe(200);

    const call = await callWith(pin);
    expect(call.said).toMatch(/^Sorry, Grace Hopper\. Phone support for your plan is closed right now\. Standard support is open/);
    expect(await pins.find(pin)).toMatchObject({ accountId, userId });
  });

  it("when the admin contact's record is missing (written behind the API), then the caller is held with no admin named, and the line stays readable", async () => {
    const accountId = await givenAccount(t.app);
    const admin = await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const pin = await givenPin(t.app, accountId, await givenUser(t.app, accountId, { name: 'Ken Caller' }));
    await changedBehindTheApi(t, accountId, { userId: admin, user: undefined });

    const call = await callWith(pin);
    expect(call.caller).toMatchObject({ userName: 'Ken Caller', adminContactName: null });
    await expect(createWaitingCallers(t.redis).head(100)).resolves.toBeDefined();
  });
});

describe('a change that takes phone support away revokes the PINs in the same step', () => {
  it('when Manage Support is taken from a user, then their PIN is gone by the time the change is answered', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).put(userPath(accountId, userId), { name: 'Grace Hopper', permissions: ['manage_billing'] })).status).toBe(200);

    expect(await pins.find(pin)).toBeUndefined();
    expect((await callWith(pin)).said).toMatch(NOT_RECOGNISED);
  });

  it("when the plan is changed to one without phone support, then every user's PIN is gone, and other accounts' are kept", async () => {
    const accountId = await givenAccount(t.app);
    const users = [await givenUser(t.app, accountId), await givenUser(t.app, accountId)];
    const their = [await givenPin(t.app, accountId, users[0] ?? ''), await givenPin(t.app, accountId, users[1] ?? '')];
    // An account whose id is this one's and a '0' (the character after '/'): the nearest other account's users.
    const neighbour = await givenAccount(t.app, { id: `${accountId}0` });
    const neighbourPin = await givenPin(t.app, neighbour, await givenUser(t.app, neighbour));
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Acme', sla: 'none' })).status).toBe(200);

    for (const pin of their) expect(await pins.find(pin)).toBeUndefined();
    expect(await pins.find(neighbourPin)).toMatchObject({ accountId: neighbour });
  });

  it('when an account is deleted and created again with the same id, then its old users and their PINs are gone', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).delete(`/v1/accounts/${accountId}`)).status).toBe(204);
    await givenAccount(t.app, { id: accountId });

    expect(await pins.find(pin)).toBeUndefined();
    expect((await api(t.app).get(userPath(accountId, userId))).status).toBe(404);
    expect((await callWith(pin)).said).toMatch(NOT_RECOGNISED);
  });

  it('when a call types the PIN while Manage Support is being taken away, then it is admitted only as the user was before the change', async () => {
    for (let round = 0; round < 15; round += 1) {
      const accountId = await givenAccount(t.app);
      const userId = await givenUser(t.app, accountId, { name: 'Before Change' });
      const pin = await givenPin(t.app, accountId, userId);

      const [change, call] = await Promise.all([
        api(t.app).put(userPath(accountId, userId), { name: 'After Change', permissions: ['manage_billing'] }),
        callWith(pin),
      ]);

      expect(change.status).toBe(200);
      if (call.held) expect(call.caller).toMatchObject({ userName: 'Before Change' });
      else expect(call.said).toMatch(NOT_RECOGNISED);
      // Admitted or not, the PIN can never be used again.
      expect(await pins.find(pin)).toBeUndefined();
    }
  });

  it('when a PIN is issued while Manage Support is being taken away, then no PIN is live once both are answered', async () => {
    for (let round = 0; round < 15; round += 1) {
      const accountId = await givenAccount(t.app);
      const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });

      const [issued, change] = await Promise.all([
        api(t.app).post(`${userPath(accountId, userId)}/pin`),
        api(t.app).put(userPath(accountId, userId), { name: 'Grace Hopper', permissions: ['manage_billing'] }),
      ]);

      expect(change.status).toBe(200);
      // Issued before the change (which revoked it), or refused after it: the directory is read in the issue's own step.
      if (issued.status === 201) expect(await pins.find((issued.body as { pin: string }).pin)).toBeUndefined();
      else expect(issued.body).toMatchObject({ error: { code: 'permission_required' } });
    }
  });
});
