import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guessesToRetireAtCap } from '../../src/policy/guess-bound.js';
import { api, givenAccount, givenUser, pinPath } from '../helpers/givens.js';
import { logLines } from '../helpers/leak-watch.js';
import type { TestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import {
  ASKS_FOR_CODE,
  CANNOT_CHECK,
  CHECKED,
  CODE_CHANGED,
  CODE_MISS,
  count,
  customerCalls,
  givenCustomer,
  givenLivePins,
  guesses,
  lineWith,
  newPinFor,
} from './guess-helpers.js';

/*
 * Statement 3 of the guessing bound (docs/security.md "The guessing bound", SPEC section 6): no
 * attacker, with any number of accounts, codes, numbers and live PINs of their own, can make a
 * legitimate caller of another account fail who types the right PIN (and the right code when
 * asked). The default policy throughout: bound 1 in 10,000, 8-digit PINs, 50 live PINs an account.
 */
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

describe('an attacker with accounts and live PINs of their own', () => {
  it('when ten accounts with 25 live PINs each guess from one withheld number, then a customer of another account who calls next is still put through', async () => {
    const t = await lineWith(apps);
    const codes = await givenLivePins(t, 10, 25);
    // PIN-only guesses until the line asks for the code: 20 fit the PIN-only half of the bound at 250 live PINs.
    expect(count(await guesses(t, 25), CHECKED)).toBe(20);
    // Then 24 wrong PINs with each of their own codes: before issue 22 these spent the line's whole budget.
    const withCodes = await Promise.all(codes.map((code) => guesses(t, 24, { code })));

    const customer = await givenCustomer(t);
    const xml = await customerCalls(t, customer);
    expect(spoken(xml).join(' ')).not.toMatch(CANNOT_CHECK);
    expect(xml).toContain('<Enqueue');
    // Each of their codes spent only its own allowance, and none is spent yet (about 200 guesses each).
    for (const heard of withCodes) expect(count(heard, CHECKED)).toBe(24);
  });
});

describe('a busy line: over 5,000 live PINs, so every caller is asked for the account code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await lineWith(apps);
    await givenLivePins(t, 101, 50);
  });

  /** A customer of an account that holds as many live PINs as the policy allows (50). */
  async function customerOfFullAccount() {
    const accountId = await givenAccount(t.app);
    const customer = await givenCustomer(t, accountId);
    await givenLivePins(t, 1, t.policy.pin.livePerAccount - 1, () => accountId);
    return customer;
  }

  it('when an account holds 50 live PINs, then a 51st is refused with a clear error', async () => {
    const customer = await customerOfFullAccount();
    const res = await api(t.app).post(pinPath(customer.accountId, await givenUser(t.app, customer.accountId)));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'too_many_live_pins' } });
  });

  it('when an account holds 50 live PINs and someone who knows its code made 20 wrong guesses with it, then its caller with the right code and PIN is put through', async () => {
    const customer = await customerOfFullAccount();
    // Before issue 22, ten wrong guesses shut this account's callers out for a day.
    expect(count(await guesses(t, 20, { code: customer.accountCode }), CHECKED)).toBe(20);
    const call = placeCall(t.app, t.config);
    expect(spoken(twimlOf(await call.voice()))[0]).toMatch(ASKS_FOR_CODE);
    await call.pin(customer.accountCode, 1);
    expect(twimlOf(await call.pin(customer.pin, 2))).toContain('<Enqueue');
  });

  it("when someone who knows an account's code guesses its allowance away, then the code is retired, its callers hear that it changed, and the account's next PIN shows a new code that gets through", async () => {
    const customer = await customerOfFullAccount();
    const other = await givenCustomer(t);
    // At the cap each guess risks 50 in 10^8; each of the account's two codes a window gets half of the codes' half of the bound: 50 of them.
    const toRetire = guessesToRetireAtCap(t.policy);
    expect(toRetire).toBe(50);
    const heard = await guesses(t, toRetire + 3, { code: customer.accountCode });
    expect(count(heard, CHECKED)).toBe(toRetire);
    expect(count(heard, CODE_CHANGED)).toBe(3);
    expect(logLines.some((line) => line.includes('account code retired') && line.includes(customer.accountId))).toBe(true);

    // The customer, right code (as it was) and right PIN: told the code changed and what to do.
    expect(spoken(await customerCalls(t, customer))).toEqual([
      'Sorry, that account code has been changed to keep your account safe. Please get a new PIN from the control panel: the new account code is shown with it. Then call again. Goodbye.',
    ]);
    const renewed = await newPinFor(t, customer.accountId, customer.userId);
    expect(renewed.accountCode).not.toBe(customer.accountCode);
    expect(await customerCalls(t, renewed)).toContain('<Enqueue');
    // Another account's customer noticed nothing.
    expect(await customerCalls(t, other)).toContain('<Enqueue');
  });

  it('when a code nobody holds is typed, then the line answers exactly as for a held code with a wrong PIN, and the code alone reveals nothing', async () => {
    const customer = await givenCustomer(t);
    const held = await t.redis.hgetall('callgate:{line}:pins:account-codes');
    const unheld = ['000000', '111111', '222222', '333333'].find((code) => held[`c:${code}`] === undefined) ?? '';
    const answersTo = async (code: string) => {
      const call = placeCall(t.app, t.config);
      await call.voice();
      const afterCode = spoken(twimlOf(await call.pin(code, 1)));
      return [...afterCode, ...spoken(twimlOf(await call.pin('12345678', 2)))];
    };
    const [withHeld, withUnheld] = [await answersTo(customer.accountCode), await answersTo(unheld)];
    expect(withUnheld).toEqual(withHeld);
    expect(withHeld.at(-1)).toMatch(CODE_MISS);
  });

  // Last in this line's tests: it moves the line's clock past the guess window.
  it('when someone learns the new code too and guesses it away in the same window, then no third code is given until the window has passed (the bound counts two codes an account a window)', async () => {
    const customer = await customerOfFullAccount();
    const toRetire = guessesToRetireAtCap(t.policy);
    await guesses(t, toRetire, { code: customer.accountCode });
    const second = await newPinFor(t, customer.accountId, customer.userId);
    expect(second.accountCode).toMatch(/^\d{6}$/);
    expect(second.accountCode).not.toBe(customer.accountCode);
    // The account's other users take new PINs too: the new code's account is full again.
    await givenLivePins(t, 1, t.policy.pin.livePerAccount - 1, () => customer.accountId);
    await guesses(t, toRetire, { code: second.accountCode });
    // Two codes' allowances make the codes' share of the bound: a third would go past it. PINs carry no code meanwhile.
    expect((await newPinFor(t, customer.accountId, customer.userId)).accountCode).toBe('');
    t.clock.advance(t.policy.line.guessWindowHours * 3_600_000 + 1);
    const next = await newPinFor(t, customer.accountId, customer.userId);
    expect(next.accountCode).toMatch(/^\d{6}$/);
    expect(await customerCalls(t, next)).toContain('<Enqueue');
  });
});
