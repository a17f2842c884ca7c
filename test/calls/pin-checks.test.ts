import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPinStore } from '../../src/pins/pin-store.js';
import { api, changedBehindTheApi, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { TUESDAY_MORNING } from '../helpers/test-clock.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const t = await buildTestApp();
afterAll(() => t.close());
afterEach(() => {
  t.clock.set(TUESDAY_MORNING);
});
const pins = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });

async function givenCaller(sla = 'standard') {
  const accountId = await givenAccount(t.app, { sla });
  const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
  const pin = await givenPin(t.app, accountId, userId);
  return { accountId, userId, pin };
}

async function callWith(pin: string): Promise<string> {
  const call = placeCall(t.app, t.config);
  await call.voice();
  return twimlOf(await call.pin(pin));
}

describe('a PIN is used once', () => {
  it('when 20 calls type one PIN at the same moment, then exactly one is put through and the PIN is used up', async () => {
    const { pin } = await givenCaller();
    const calls = Array.from({ length: 20 }, () => placeCall(t.app, t.config));
    await Promise.all(calls.map((call) => call.voice()));
    const answers = await Promise.all(calls.map(async (call) => twimlOf(await call.pin(pin))));
    expect(answers.filter((xml) => xml.includes('<Enqueue'))).toHaveLength(1);
    expect(await pins.find(pin)).toBeUndefined();
  });
});

describe('a valid PIN is checked against the directory as it is now', () => {
  it('when manage_support was taken away after the PIN was issued, then refused by name, and hung up', async () => {
    const { accountId, userId, pin } = await givenCaller();
    // Re-grant the PIN's owner nothing but billing, bypassing the API's revocation to test the call-time check.
    await changedBehindTheApi(t, accountId, { userId, user: { name: 'Grace Hopper', permissions: ['manage_billing'] } });
    const xml = await callWith(pin);
    expect(spoken(xml)).toEqual([
      'Sorry, Grace Hopper. Your user does not have the Manage Support permission, so it cannot use phone support. Please ask an administrator of your account. Goodbye.',
    ]);
    expect(xml).toContain('<Hangup/>');
    expect(await pins.find(pin)).toBeDefined();
  });

  it('when the user no longer exists, then "could not find the user"', async () => {
    const { accountId, userId, pin } = await givenCaller();
    await changedBehindTheApi(t, accountId, { userId, user: undefined });
    expect(spoken(await callWith(pin))[0]).toMatch(/^Sorry, we could not find the user this PIN belongs to/);
  });

  it('when the plan no longer includes phone support, then told so, and the PIN is kept', async () => {
    const { accountId, pin } = await givenCaller();
    await changedBehindTheApi(t, accountId, { sla: 'none' });
    expect(spoken(await callWith(pin))[0]).toBe(
      'Sorry, Grace Hopper. Your plan does not include phone support. Please open a ticket in the control panel. Goodbye.',
    );
    expect(await pins.find(pin)).toBeDefined();
  });

  it("when the line is open but the caller's plan is closed, then the plan's hours and when it opens, and the PIN is kept", async () => {
    // Thursday 25 March 2027, 18:00 London: managed_platform is open until 20:00, standard closed since 17:30.
    t.clock.set('2027-03-25T18:00:00Z');
    const { pin } = await givenCaller('standard');
    expect(spoken(await callWith(pin))).toEqual([
      'Sorry, Grace Hopper. Phone support for your plan is closed right now. ' +
        'Standard support is open Monday to Friday, from 9:00 to 17:30, London time. ' +
        'It opens again on Tuesday 30 March at 9:00. Your PIN has not been used. Goodbye.',
    ]);
    expect(await pins.find(pin)).toBeDefined();
  });

  it('when the PIN is used, then it cannot be used again on another call', async () => {
    const { pin } = await givenCaller();
    expect(await callWith(pin)).toContain('<Enqueue');
    expect(await callWith(pin)).toContain('not recognised');
  });

  it('when the PIN was revoked through the API, then it is not recognised', async () => {
    const { accountId, userId, pin } = await givenCaller();
    await api(t.app).delete(`/v1/accounts/${accountId}/users/${userId}/pin`);
    expect(await callWith(pin)).toContain('not recognised');
  });
});

describe('the line closed: hours spoken before any PIN is asked', () => {
  const closedLine =
    'Emergency phone support is closed right now. ' +
    'Managed platform support is open Monday to Friday, from 8:00 to 20:00, London time. ' +
    'Standard support is open Monday to Friday, from 9:00 to 17:30, London time. ' +
    'Please call back then, or open a ticket in the control panel. Goodbye.';

  it.each([
    ['a Saturday afternoon', '2027-03-27T14:00:00Z'],
    ['Good Friday 2027', '2027-03-26T10:00:00Z'],
    ['Easter Monday 2027', '2027-03-29T12:00:00Z'],
    ['a winter weekday at 20:00:00', '2027-03-25T20:00:00Z'],
    ['a summer weekday at 07:59:59 BST', '2027-03-30T06:59:59Z'],
    ['the Sunday the clocks go back', '2027-10-31T12:00:00Z'],
  ])('when it is %s, then the hours are spoken and the call ends', async (_when, iso) => {
    t.clock.set(iso);
    const call = placeCall(t.app, t.config);
    const xml = twimlOf(await call.voice());
    expect(spoken(xml)).toEqual([closedLine]);
    expect(xml).not.toContain('<Gather');
    expect(xml).toContain('<Hangup/>');
  });

  it.each([
    ['a winter weekday at 19:59:59', '2027-03-25T19:59:59Z', 'managed_platform'],
    ['a summer weekday at 08:00 BST', '2027-03-30T07:00:00Z', 'managed_platform'],
    ['17:29:59 on a standard day', '2027-03-25T17:29:59Z', 'standard'],
  ])('when it is %s, then the %s caller gets through', async (_when, iso, sla) => {
    t.clock.set(iso);
    const { pin } = await givenCaller(sla);
    expect(await callWith(pin)).toContain('<Enqueue');
  });

  it('when Twilio retries the incoming-call webhook after the line has closed, then it gets the first answer again', async () => {
    t.clock.set('2027-03-25T19:59:59Z');
    const call = placeCall(t.app, t.config);
    const first = twimlOf(await call.voice());
    expect(first).toContain('<Gather');
    t.clock.set('2027-03-25T20:00:01Z');
    expect(twimlOf(await call.voice())).toBe(first);
    expect(spoken(twimlOf(await placeCall(t.app, t.config).voice()))).toEqual([closedLine]);
  });

  it('when it is 17:30:00 exactly, then a standard caller is turned away while managed platform callers are not', async () => {
    t.clock.set('2027-03-25T17:30:00Z');
    const standard = await givenCaller('standard');
    const managed = await givenCaller('managed_platform');
    expect(spoken(await callWith(standard.pin))[0]).toContain('Phone support for your plan is closed right now');
    expect(await callWith(managed.pin)).toContain('<Enqueue');
  });
});
