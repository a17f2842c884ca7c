import { afterAll, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { eventually } from '../helpers/eventually.js';
import { ALL_PERMISSIONS, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { commandsDuring, directoryCommandsDuring } from '../helpers/redis-commands.js';
import { buildTestApp } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/* The PIN webhook waits on Redis as few times as the guarantees allow (issue 12). */
const t = await buildTestApp();
afterAll(() => t.close());

/** The commands the app sends under hash tag `tag` (the call path's by default) while `during` runs. */
const lineCommandsDuring = (during: () => Promise<unknown>, tag = '{line}') => commandsDuring(t.redis, tag, during);

describe('Redis round trips at the PIN prompt', () => {
  it('when a wrong PIN is typed, then one script claims the step, checks and counts the guess, and records the answer', async () => {
    const call = placeCall(t.app, t.config, newCaller());
    await call.voice();
    let answer = '';
    const sent = await lineCommandsDuring(async () => {
      answer = twimlOf(await call.pin('00000000'));
    });
    expect(spoken(answer)[0]).toMatch(/not recognised/);
    expect(sent).toHaveLength(1);
    const [script = []] = sent;
    expect(script.some((arg) => arg.endsWith(`:call:${call.callSid}`))).toBe(true);
    expect(script.some((arg) => arg.endsWith(':failures'))).toBe(true);
    // The answer was recorded by that script: a retry hears it without checking again.
    const retried = await lineCommandsDuring(async () => {
      expect(twimlOf(await call.pin('00000000'))).toBe(answer);
    });
    expect(retried).toHaveLength(1);
  });

  it("when a valid PIN is typed, then one script on the call checks it, reads the line's copy of the directory and holds the caller", async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config, newCaller());
    await call.voice();
    let answer = '';
    const directoryReads = await directoryCommandsDuring(t.redis, accountId, async () => {
      const sent = await lineCommandsDuring(async () => {
        answer = twimlOf(await call.pin(pin));
      });
      expect(sent.filter((args) => args.some((arg) => arg.endsWith(`:call:${call.callSid}`)))).toHaveLength(1);
    });
    expect(spoken(answer)[0]).toMatch(/^Thank you, Ken Caller\./);
    expect(answer).toContain('<Enqueue');
    expect(directoryReads).toEqual([]);
    // What the sysadmin's briefing says came from the copy.
    const waiting = await createWaitingCallers(t.redis).get(call.callSid);
    expect(waiting?.caller).toMatchObject({ accountId, userId, userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Ada Admin', tier: 'standard' });
  });

  it('when the line has no copy of the account yet, then the directory is read once, admin contact included, and the next call needs no directory read', async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    // As an account written before the line kept a copy.
    await t.redis.hdel('callgate:{line}:directory:accounts', accountId);
    await t.redis.hdel('callgate:{line}:directory:users', `${accountId}/${userId}`);

    const first = placeCall(t.app, t.config, newCaller());
    await first.voice();
    const firstPin = await givenPin(t.app, accountId, userId);
    const reads = await directoryCommandsDuring(t.redis, accountId, async () => {
      expect(twimlOf(await first.pin(firstPin))).toContain('<Enqueue');
    });
    expect(reads).toHaveLength(1);
    const waiting = await createWaitingCallers(t.redis).get(first.callSid);
    expect(waiting?.caller).toMatchObject({ userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Ada Admin' });

    const second = placeCall(t.app, t.config, newCaller());
    await second.voice();
    const pin = await givenPin(t.app, accountId, userId);
    await eventually(async () => {
      expect(await t.redis.hexists('callgate:{line}:directory:users', `${accountId}/${userId}`)).toBe(1);
    });
    const again = await directoryCommandsDuring(t.redis, accountId, async () => {
      expect(twimlOf(await second.pin(pin))).toContain('<Enqueue');
    });
    expect(again).toEqual([]);
  });
});
