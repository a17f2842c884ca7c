import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDirectoryService } from '../../src/directory/directory-service.js';
import { createDirectoryStore, type DirectoryStore } from '../../src/directory/directory-store.js';
import { createLineCopy, STALE_MARK_MS } from '../../src/directory/line-copy.js';
import { UnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { createPinStore } from '../../src/pins/pin-store.js';
import { eventually } from '../helpers/eventually.js';
import { ageChangeMarks, ALL_PERMISSIONS, api, changedByDyingInstance, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { directoryCommandsDuring } from '../helpers/redis-commands.js';
import { buildTestApp } from '../helpers/test-app.js';
import { TUESDAY_MORNING } from '../helpers/test-clock.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/*
 * The PIN step decides on the line's copy of the directory (src/directory/line-copy.ts) so that
 * a valid PIN takes one round trip; these tests hold that copy to the directory as the
 * control panel changes it, and to the directory itself whenever the copy cannot be trusted.
 */
const t = await buildTestApp();
afterAll(() => t.close());
afterEach(() => {
  t.clock.set(TUESDAY_MORNING);
});
const pins = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });
const log = createLogger({ level: 'silent' });
const copy = createLineCopy({ redis: t.redis, log });
const store = createDirectoryStore(t.redis);
const marked = async (accountId: string) => (await t.redis.hexists('callgate:{line}:directory:accounts', `${accountId}:changes`)) === 1;
const userPath = (accountId: string, userId: string) => `/v1/accounts/${accountId}/users/${userId}`;

/** Grace, refused for want of Manage Support on what the directory says, not on the copy. */
function expectRefusedByTheDirectory(call: { said: string; directoryReads: number }): void {
  expect(call.said).toMatch(/^Sorry, Grace Hopper\. Your user does not have the Manage Support permission/);
  expect(call.directoryReads).toBe(1);
}

/** A call that types `pin`: what it heard, who waits for a sysadmin, and how many times the directory was read. */
async function callWith(accountId: string, pin: string) {
  const call = placeCall(t.app, t.config, newCaller());
  await call.voice();
  let answer = '';
  const reads = await directoryCommandsDuring(t.redis, accountId, async () => {
    answer = twimlOf(await call.pin(pin));
  });
  const waiting = await createWaitingCallers(t.redis).get(call.callSid);
  return { said: spoken(answer)[0] ?? '', directoryReads: reads.length, caller: waiting?.caller };
}

describe("the line's copy of the directory, as the control panel changes it", () => {
  it('when a user is renamed, then the next call greets them by the new name without reading the directory', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).put(userPath(accountId, userId), { name: 'Grace B. Hopper', permissions: ['manage_support'] })).status).toBe(200);

    const call = await callWith(accountId, pin);
    expect(call.said).toMatch(/^Thank you, Grace B\. Hopper\./);
    expect(call.directoryReads).toBe(0);
  });

  it("when the admin contact role moves to another user, then the next caller's briefing names the new admin contact", async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Old', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const successor = await givenUser(t.app, accountId, { name: 'Bea New', permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const pin = await givenPin(t.app, accountId, userId);
    const moved = await api(t.app).put(userPath(accountId, successor), { name: 'Bea New', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
    expect(moved.status).toBe(200);

    const call = await callWith(accountId, pin);
    expect(call.caller).toMatchObject({ userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Bea New' });
    expect(call.directoryReads).toBe(0);
  });

  it("when the plan is changed to one whose line is closed now, then the caller hears that plan's hours and keeps the PIN", async () => {
    // Thursday 25 March 2027, 18:00 London: managed_platform is open until 20:00, standard closed since 17:30.
    t.clock.set('2027-03-25T18:00:00Z');
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'Acme', sla: 'standard' })).status).toBe(200);

    const call = await callWith(accountId, pin);
    expect(call.said).toMatch(/^Sorry, Grace Hopper\. Phone support for your plan is closed right now\. Standard support is open/);
    expect(await pins.find(pin)).toMatchObject({ accountId, userId });
  });

  it('when a change is refused (a stale If-Match), then the account is not left marked as changing: the next call reads no directory', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    const refused = await api(t.app).put(userPath(accountId, userId), { name: 'Someone Else', permissions: ['manage_support'] }).set('If-Match', '"r1"');
    expect(refused.status).toBe(412);

    const call = await callWith(accountId, pin);
    expect(call.said).toMatch(/^Thank you, Grace Hopper\./);
    expect(call.directoryReads).toBe(0);
  });
});

describe("callers admitted on the line's copy and after a directory read", () => {
  it('when one caller is admitted each way, then both wait with the same record and their place in line follows plan, then arrival', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const waiting = createWaitingCallers(t.redis);
    const admitted = async (withCopy: boolean) => {
      if (!withCopy) await t.redis.hdel('callgate:{line}:directory:accounts', accountId);
      const pin = await givenPin(t.app, accountId, userId);
      const call = placeCall(t.app, t.config, newCaller());
      await call.voice();
      const reads = await directoryCommandsDuring(t.redis, accountId, async () => {
        expect(twimlOf(await call.pin(pin))).toContain('<Enqueue');
      });
      const entry = await waiting.get(call.callSid);
      const score = Number(await t.redis.zscore('callgate:{line}:queue:waiting', call.callSid));
      return { reads: reads.length, entry, score };
    };

    const onCopy = await admitted(true);
    t.clock.advance(1_000);
    const afterRead = await admitted(false);
    expect([onCopy.reads, afterRead.reads]).toEqual([0, 1]);
    const { callSid: _a, enqueuedAt: firstAt, ...first } = onCopy.entry?.caller ?? { callSid: '', enqueuedAt: 0 };
    const { callSid: _b, enqueuedAt: secondAt, ...second } = afterRead.entry?.caller ?? { callSid: '', enqueuedAt: 0 };
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accountId, userId, userName: 'Ken Caller', adminContactName: 'Ada Admin', tier: 'managed_platform', priority: 2 });
    expect(secondAt - firstAt).toBe(1_000);
    // Each waits in an <Enqueue> queue of their own (https://www.twilio.com/docs/voice/twiml/enqueue: a
    // queue is FIFO), so the place in line across plans is callgate's: the plan's priority first, then
    // arrival, the same formula either way.
    expect(onCopy.score).toBe(-2e13 + firstAt);
    expect(afterRead.score).toBe(-2e13 + secondAt);
  });
});

describe("the line's copy of the directory, when it cannot be trusted", () => {
  it('when an instance died in the middle of a change, then calls read the directory until the change can no longer land, and then one brings the copy up to date', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    await changedByDyingInstance(t, accountId, () =>
      t.redis.hset(`callgate:{a:${accountId}}:users`, userId, `2:${JSON.stringify({ name: 'Grace B. Hopper', permissions: ['manage_support'] })}`),
    );

    const during = await callWith(accountId, await givenPin(t.app, accountId, userId));
    expect(during.said).toMatch(/^Thank you, Grace B\. Hopper\./);
    expect(during.directoryReads).toBe(1);
    // The change might still land while it is in flight, so that call left the mark alone.
    expect(await marked(accountId)).toBe(true);

    await ageChangeMarks(t, accountId, STALE_MARK_MS + 1);
    const after = await callWith(accountId, await givenPin(t.app, accountId, userId));
    expect(after.directoryReads).toBe(1);
    await eventually(async () => {
      expect(await marked(accountId)).toBe(false);
    });
    const next = await callWith(accountId, await givenPin(t.app, accountId, userId));
    expect(next.said).toMatch(/^Thank you, Grace B\. Hopper\./);
    expect(next.directoryReads).toBe(0);
  });

  it("when an instance died changing one user, then another user's call lifting the mark does not make the changed user's card trusted", async () => {
    const accountId = await givenAccount(t.app);
    const colleague = await givenUser(t.app, accountId, { name: 'Ken Colleague' });
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    // Manage Support taken away; the instance died before revoking the PIN or copying the change.
    await changedByDyingInstance(t, accountId, () =>
      t.redis.hset(`callgate:{a:${accountId}}:users`, userId, `2:${JSON.stringify({ name: 'Grace Hopper', permissions: ['manage_billing'] })}`),
    );

    await ageChangeMarks(t, accountId, STALE_MARK_MS + 1);
    const colleagues = await callWith(accountId, await givenPin(t.app, accountId, colleague));
    expect(colleagues.said).toMatch(/^Thank you, Ken Colleague\./);
    await eventually(async () => {
      expect(await marked(accountId)).toBe(false);
    });

    const call = await callWith(accountId, pin);
    expectRefusedByTheDirectory(call);
  });

  it("when an account is deleted and its PIN outlives it, then a new account with the same id does not vouch for the old user", async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    expect((await api(t.app).delete(`/v1/accounts/${accountId}`)).status).toBe(204);
    // As if the revocation after the delete had failed: the same PIN live again for the old user.
    const store = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin, drawPin: () => pin });
    await store.issue({ accountId, userId });
    await givenAccount(t.app, { id: accountId });

    const call = await callWith(accountId, pin);
    expect(call.said).toMatch(/^Sorry, we could not find the user this PIN belongs to/);
  });

  it('when cards are copied out of order, then the newest revision stays, and a call does not copy while a change is in flight', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const facts = (seq: number, name: string) => ({
      seq,
      readAt: Date.now(),
      account: { id: accountId, name: 'Acme', sla: 'standard', rev: seq, contacts: {} },
      user: { id: userId, accountId, name, permissions: ['manage_support' as const], roles: [], rev: seq },
      adminContactName: null,
    });
    const userCard = async () => JSON.parse((await t.redis.hget('callgate:{line}:directory:users', `${accountId}/${userId}`)) ?? '{}') as unknown;

    await copy.settle(accountId, userId, facts(100, 'Newer'), await copy.markChange(accountId));
    await copy.settle(accountId, userId, facts(99, 'Older'), await copy.markChange(accountId));
    expect(await userCard()).toMatchObject({ seq: 100, name: 'Newer' });

    const inFlight = await copy.markChange(accountId);
    await copy.fill(accountId, userId, facts(101, 'Read by a call'));
    expect(await userCard()).toMatchObject({ seq: 100, name: 'Newer' });
    await copy.settle(accountId, userId, facts(102, 'The change'), inFlight);
    expect(await userCard()).toMatchObject({ seq: 102, name: 'The change' });
    expect(await marked(accountId)).toBe(false);
  });
});

describe("the line's copy of the directory, when changes race, stall or die", () => {
  it('when an account is deleted while another instance creates it again under the same id, then the deleted account\'s users are not vouched for', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    // One instance deletes the account: marked and written, not yet settled (nor the PINs revoked).
    const deleting = await copy.markChange(accountId);
    await store.deleteAccount(accountId, { notAfter: deleting.writeBy });
    // Another creates it again, start to finish; then the first reads back the new account and settles.
    expect((await api(t.app).put(`/v1/accounts/${accountId}`, { name: 'New Owner', sla: 'standard' })).status).toBe(201);
    await copy.settle(accountId, undefined, await store.getCaller(accountId, ''), deleting, true);
    expect(await marked(accountId)).toBe(false);

    const call = await callWith(accountId, pin);
    expect(call.said).toMatch(/^Sorry, we could not find the user this PIN belongs to/);
    expect(call.caller).toBeUndefined();
  });

  it('when a change stalls between its mark and its write for longer than calls wait for it, then its write does not land', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    // A copy that waits 1 s for a change instead of 30, and a directory whose writes stall 1.2 s.
    const stalled: DirectoryStore = {
      ...store,
      putUser: async (...args) => {
        await sleep(1_200);
        return store.putUser(...args);
      },
    };
    const service = createDirectoryService({ store: stalled, pins, policy: t.policy, copy: createLineCopy({ redis: t.redis, log, staleMs: 1_000 }), log });

    await expect(service.putUser(accountId, userId, { name: 'Grace Hopper', permissions: ['manage_billing'] })).rejects.toBeInstanceOf(UnavailableError);
    const { user } = await store.getMember(accountId, userId);
    expect(user?.permissions).toEqual(['manage_support']);
    expect(await marked(accountId)).toBe(false);
  });

  it("when a change that went stale settles late, then it lifts only its own mark, not a newer change's", async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    // A first change stalls after writing; a call, long after, reads the directory and lifts its mark.
    const first = await copy.markChange(accountId);
    await ageChangeMarks(t, accountId, STALE_MARK_MS + 1);
    await copy.fill(accountId, userId, await store.getCaller(accountId, userId));
    expect(await marked(accountId)).toBe(false);
    // A second change takes Manage Support away: marked and written, not settled yet.
    const second = await copy.markChange(accountId);
    await store.putUser(accountId, userId, { name: 'Grace Hopper', permissions: ['manage_billing'] }, { notAfter: second.writeBy });
    // The first change wakes and settles.
    await copy.settle(accountId, undefined, await store.getCaller(accountId, ''), first);

    expect(await marked(accountId)).toBe(true);
    const call = await callWith(accountId, pin);
    expectRefusedByTheDirectory(call);
  });

  it("when an earlier version's mark (a count and a time) is on an account, then calls read the directory until it is stale, and one then lifts it", async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const legacyMarked = async () => (await t.redis.hexists('callgate:{line}:directory:accounts', `${accountId}:changing`)) === 1;
    await t.redis.hset('callgate:{line}:directory:accounts', `${accountId}:changing`, `1|${String(Date.now())}`);
    expect((await callWith(accountId, await givenPin(t.app, accountId, userId))).directoryReads).toBe(1);
    expect(await legacyMarked()).toBe(true);

    await t.redis.hset('callgate:{line}:directory:accounts', `${accountId}:changing`, `1|${String(Date.now() - STALE_MARK_MS - 1)}`);
    expect((await callWith(accountId, await givenPin(t.app, accountId, userId))).directoryReads).toBe(1);
    await eventually(async () => {
      expect(await legacyMarked()).toBe(false);
    });
    expect((await callWith(accountId, await givenPin(t.app, accountId, userId))).directoryReads).toBe(0);
  });

  it("when an earlier version's instance marks and settles a change during a rolling deploy, then this version's change in flight stays marked", async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(t.app, accountId, userId);
    const taking = await copy.markChange(accountId);
    // What the earlier version's scripts do to their own field: a mark ("1|<ms>"), then its settle lifting it.
    await t.redis.hset('callgate:{line}:directory:accounts', `${accountId}:changing`, `1|${String(Date.now())}`);
    await t.redis.hdel('callgate:{line}:directory:accounts', `${accountId}:changing`);
    await store.putUser(accountId, userId, { name: 'Grace Hopper', permissions: ['manage_billing'] }, { notAfter: taking.writeBy });

    const call = await callWith(accountId, pin);
    expectRefusedByTheDirectory(call);
  });
});
