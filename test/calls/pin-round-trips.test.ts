import { afterAll, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { ALL_PERMISSIONS, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { commandsDuring } from '../helpers/redis-commands.js';
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

  it('when a valid PIN is typed, then one script on the call checks it, reads its owner in the directory and holds the caller', async () => {
    const accountId = await givenAccount(t.app);
    await givenUser(t.app, accountId, { name: 'Ada Admin', roles: ['admin_contact'], permissions: ALL_PERMISSIONS });
    const userId = await givenUser(t.app, accountId, { name: 'Ken Caller' });
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config, newCaller());
    await call.voice();
    let answer = '';
    const sent = await lineCommandsDuring(async () => {
      answer = twimlOf(await call.pin(pin));
    });
    // The pager's nudge may follow on the line's keys; of what the call itself sent, one script.
    const forTheCall = sent.filter((args) => args.some((arg) => arg.endsWith(`:call:${call.callSid}`)));
    expect(forTheCall).toHaveLength(1);
    expect(forTheCall[0]?.some((arg) => arg.endsWith(':dir:users'))).toBe(true);
    expect(spoken(answer)[0]).toMatch(/^Thank you, Ken Caller\./);
    expect(answer).toContain('<Enqueue');
    // What the sysadmin's briefing says came from the directory, in that script.
    const waiting = await createWaitingCallers(t.redis).get(call.callSid);
    expect(waiting?.caller).toMatchObject({ accountId, userId, userName: 'Ken Caller', isAdminContact: false, adminContactName: 'Ada Admin', tier: 'standard' });
  });
});
