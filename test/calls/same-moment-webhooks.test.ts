import { afterAll, describe, expect, it } from 'vitest';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/* Twilio may deliver one webhook twice at the same moment (a retry racing the first): one decision. */
const t = await buildTestApp();
afterAll(() => t.close());
const LOCKED_OUT = /^Too many incorrect PINs have been entered from this number/;

async function givenCaller(): Promise<string> {
  const accountId = await givenAccount(t.app);
  const userId = await givenUser(t.app, accountId);
  return givenPin(t.app, accountId, userId);
}

describe('identical webhooks at the same moment', () => {
  it('when the PIN webhook arrives five times at once with a valid PIN, then all five answers are the same enqueue', async () => {
    const pin = await givenCaller();
    const call = placeCall(t.app, t.config);
    await call.voice();
    const answers = (await Promise.all(Array.from({ length: 5 }, () => call.pin(pin)))).map(twimlOf);
    expect(answers[0]).toContain(`<Enqueue`);
    expect(new Set(answers).size).toBe(1);
  });

  it('when a wrong PIN webhook arrives five times at once, then one answer, and the number is charged one failure', async () => {
    const from = newCaller();
    const call = placeCall(t.app, t.config, from);
    await call.voice();
    const answers = (await Promise.all(Array.from({ length: 5 }, () => call.pin('00000000')))).map(twimlOf);
    expect(answers[0]).toContain('attempt=2');
    expect(new Set(answers).size).toBe(1);

    // Ten failures lock a number out: eight more calls are still let in, the ninth is the tenth failure.
    for (let i = 0; i < 8; i += 1) {
      const next = placeCall(t.app, t.config, from);
      expect(twimlOf(await next.voice())).toContain('<Gather');
      expect(spoken(twimlOf(await next.pin('00000000')))[0]).toMatch(/not recognised/);
    }
    const last = placeCall(t.app, t.config, from);
    await last.voice();
    expect(spoken(twimlOf(await last.pin('00000000')))[0]).toMatch(LOCKED_OUT);
  });

  it('when the incoming-call webhook arrives five times at once, then all five get the same PIN prompt', async () => {
    const call = placeCall(t.app, t.config);
    const answers = (await Promise.all(Array.from({ length: 5 }, () => call.voice()))).map(twimlOf);
    expect(answers[0]).toContain('<Gather');
    expect(new Set(answers).size).toBe(1);
  });
});
