import type { Command } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { ALL_PERMISSIONS, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/* The PIN webhook waits on Redis as few times as the guarantees allow (issue 12). */
const t = await buildTestApp();
afterAll(() => t.close());

/** The commands the app sends under hash tag `tag` (the call path's by default) while `during` runs, as their arguments. */
async function lineCommandsDuring(during: () => Promise<unknown>, tag = '{line}'): Promise<string[][]> {
  const sent: string[][] = [];
  const original = t.redis.sendCommand.bind(t.redis);
  t.redis.sendCommand = (command: Command, ...rest: unknown[]) => {
    const args = command.args.map(String);
    if (args.some((arg) => arg.includes(tag))) sent.push([command.name, ...args]);
    return (original as (...all: unknown[]) => unknown)(command, ...rest);
  };
  try {
    await during();
  } finally {
    t.redis.sendCommand = original;
  }
  return sent;
}

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

  it('when a valid PIN is typed, then two scripts on the call: the check, and the admission after the directory read', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config, newCaller());
    await call.voice();
    let answer = '';
    const sent = await lineCommandsDuring(async () => {
      answer = twimlOf(await call.pin(pin));
    });
    expect(answer).toContain('<Enqueue');
    expect(sent.filter((args) => args.some((arg) => arg.endsWith(`:call:${call.callSid}`)))).toHaveLength(2);
  });

  it('when a valid PIN is typed by someone other than the admin contact, then the directory is read once, admin contact included', async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config, newCaller());
    await call.voice();
    const sent = await lineCommandsDuring(async () => {
      expect(twimlOf(await call.pin(pin))).toContain('<Enqueue');
    }, `{a:${accountId}}`);
    // The account's audit stream shares its tag; what is counted is the directory's reads (before: four commands in two round trips).
    const directoryReads = sent.filter((args) => !args.some((arg) => arg.endsWith(':calls')));
    expect(directoryReads).toHaveLength(1);
    const waiting = await createWaitingCallers(t.redis).get(call.callSid);
    expect(waiting?.caller).toMatchObject({ userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Ada Admin' });
  });
});
