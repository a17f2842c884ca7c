import { afterAll, describe, expect, it } from 'vitest';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const t = await buildTestApp();
afterAll(() => t.close());

async function givenCallerPin(): Promise<string> {
  const accountId = await givenAccount(t.app);
  const userId = await givenUser(t.app, accountId);
  return givenPin(t.app, accountId, userId);
}
const GOODBYE = /^Sorry, we could not verify your PIN/;

describe('the PIN prompt and its Gather agree', () => {
  it('when asked for the PIN, then the prompt says "followed by the hash key" and the Gather ends on # (no digit count that would leave the # for the next one)', async () => {
    const xml = twimlOf(await placeCall(t.app, t.config).voice());
    expect(xml).toContain('<Gather input="dtmf" finishOnKey="#" timeout="8"');
    expect(xml).not.toContain('numDigits');
    expect(spoken(xml)[0]).toMatch(/followed by the hash key\.$/);
  });

  it('when a stray # reaches the next prompt after a wrong PIN, then it costs no attempt', async () => {
    const pin = await givenCallerPin();
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin('11111111', 1);
    // The lone # arrives as empty Digits: asked again, the attempt not spent.
    expect(spoken(twimlOf(await call.pin('', 2)))[0]).toMatch(/^Welcome to emergency support\. Please enter the support PIN/);
    await call.pin('22222222', 3);
    expect(twimlOf(await call.pin(pin, 4))).toContain('<Enqueue');
  });

  it('when the caller types nothing, again and again, then the call still ends after as many prompts as attempts', async () => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin('', 1))).toContain('attempt=2');
    expect(twimlOf(await call.pin('', 2))).toContain('attempt=3');
    expect(spoken(twimlOf(await call.pin('', 3)))[0]).toMatch(GOODBYE);
  });
});

describe('withheld numbers', () => {
  // Twilio's From for a withheld caller ID: ANONYMOUS on a keypad, and the word itself on newer legs.
  const WITHHELD = ['+266696687', 'anonymous'];

  it('when one withheld caller guesses over many calls, then other withheld callers are not locked out, and a valid PIN gets through', async () => {
    // 12 guesses from one placeholder: past the per-number limit of 10, had they shared one lockout.
    for (let i = 0; i < 12; i += 1) {
      const call = placeCall(t.app, t.config, WITHHELD[0]);
      await call.voice();
      expect(spoken(twimlOf(await call.pin(String(30_000_000 + i))))[0]).toMatch(/not recognised/);
    }
    const pin = await givenCallerPin();
    const customer = placeCall(t.app, t.config, '+266696687');
    expect(twimlOf(await customer.voice())).toContain('<Gather');
    expect(twimlOf(await customer.pin(pin))).toContain('<Enqueue');
  });

  it('when a withheld caller gets every attempt of a call wrong, then that call ends like any other', async () => {
    const call = placeCall(t.app, t.config, '+266696687');
    await call.voice();
    await call.pin('44444444', 1);
    await call.pin('44444445', 2);
    expect(spoken(twimlOf(await call.pin('44444446', 3)))[0]).toMatch(GOODBYE);
  });
});
