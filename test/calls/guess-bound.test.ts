import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { guessBudget, riskOfGuess } from '../../src/pins/guess-bound.js';
import { api, givenAccount, givenUser, pinPath } from '../helpers/givens.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, policyWith, type TestApp } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/*
 * The stated bound on guessing (README "The guessing bound"), held under concurrency.
 * A tiny bound makes the day's budget a handful of guesses, so a test can spend it.
 */
const NOT_RECOGNISED = /^Sorry, that PIN was not recognised/;
const ASKS_FOR_CODE = /first enter the account code shown with your PIN/;
const LOCKED_OUT = /^Too many incorrect PINs have been entered from this number/;
const PINS_UNAVAILABLE = /^Sorry, the emergency line cannot check PINs right now/;

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});
async function lineWith(line: Record<string, number>): Promise<TestApp> {
  const t = await buildTestApp({ policy: policyWith({ line: { alarmFailuresPerMinute: 1000, ...line } }) });
  apps.push(t);
  return t;
}

async function givenPinWithCode(t: TestApp, accountId?: string): Promise<{ pin: string; accountCode: string }> {
  const account = accountId ?? (await givenAccount(t.app));
  const userId = await givenUser(t.app, account);
  const res = await api(t.app).post(pinPath(account, userId));
  expect(res.status).toBe(201);
  const issued = res.body as { pin: string; accountCode: string };
  rememberSecret(issued.pin);
  return issued;
}

/** One call from `from` that types `digits` once; what the caller then hears first. */
async function oneGuess(t: TestApp, digits: string, from = newCaller()): Promise<string> {
  const call = placeCall(t.app, t.config, from);
  await call.voice();
  return spoken(twimlOf(await call.pin(digits, 1)))[0] ?? '';
}

async function sample(t: TestApp, name: string): Promise<number> {
  const text = (await request(t.app).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

const count = (answers: string[], pattern: RegExp): number => answers.filter((a) => pattern.test(a)).length;

describe('the line-wide budget of guesses', () => {
  it('when 60 numbers guess at once, then no more guesses are checked than the bound allows, and a customer still gets through with the account code', async () => {
    const t = await lineWith({ guessBound: 4.1e-6 });
    const customer = await givenPinWithCode(t);
    for (let i = 0; i < 9; i += 1) await givenPinWithCode(t);
    // Ten live PINs of 10^8: each random guess hits with 1e-7; the PIN-only half of the bound allows 20.
    const policy = parsePolicy(policyWith({ line: { guessBound: 4.1e-6 } }));
    const allowed = Math.floor(guessBudget(policy).pinOnly / riskOfGuess(10, 8));
    expect(allowed).toBe(20);

    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => oneGuess(t, String(10_000_000 + i))));
    expect(count(answers, NOT_RECOGNISED)).toBe(allowed);
    expect(count(answers, ASKS_FOR_CODE)).toBe(60 - allowed);
    expect(await sample(t, 'callgate_guess_window_guesses')).toBe(allowed);
    expect(await sample(t, 'callgate_live_pins')).toBe(10);
    expect(await sample(t, 'callgate_guess_window_hit_probability')).toBeCloseTo(1 - (1 - 1e-7) ** allowed, 12);
    expect(await sample(t, 'callgate_guess_window_hit_probability')).toBeLessThan(await sample(t, 'callgate_guess_bound'));
    expect(await sample(t, 'callgate_guess_budget_left')).toBe(0);

    // The customer is asked for the account code first, then the PIN, and is put through.
    const call = placeCall(t.app, t.config);
    expect(spoken(twimlOf(await call.voice()))[0]).toMatch(ASKS_FOR_CODE);
    expect(spoken(twimlOf(await call.pin(customer.accountCode, 1)))).toEqual(['Thank you. Now enter your support PIN, followed by the hash key.']);
    expect(twimlOf(await call.pin(customer.pin, 2))).toContain('<Enqueue');
  });

  it('when the PIN-only budget runs out in the middle of a call, then the PIN typed is not checked, costs no attempt, and works after the account code', async () => {
    const t = await lineWith({ guessBound: 2.1e-6 });
    const customer = await givenPinWithCode(t);
    for (let i = 0; i < 9; i += 1) await givenPinWithCode(t);
    const call = placeCall(t.app, t.config);
    expect(twimlOf(await call.voice())).toContain('support PIN from your control panel');
    // Ten guesses spend the PIN-only half while the customer is still typing.
    await Promise.all(Array.from({ length: 10 }, (_, i) => oneGuess(t, String(20_000_000 + i))));

    expect(spoken(twimlOf(await call.pin(customer.pin, 1)))[0]).toMatch(ASKS_FOR_CODE);
    await call.pin(customer.accountCode, 2);
    expect(twimlOf(await call.pin(customer.pin, 3))).toContain('<Enqueue');
  });

  /** A call that types `accountCode`, then a guess at the PIN; what it then hears first. */
  const guessWithCode = async (t: TestApp, accountCode: string, digits: string): Promise<string> => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin(accountCode, 1);
    return spoken(twimlOf(await call.pin(digits, 2)))[0] ?? '';
  };

  it("when guesses with one account code spend that code's share of the bound, then its guesses are not checked, and a customer of another account still gets through", async () => {
    const t = await lineWith({ guessBound: 2.1e-6 });
    const target = await givenPinWithCode(t);
    const customer = await givenPinWithCode(t);
    for (let i = 0; i < 8; i += 1) await givenPinWithCode(t);
    await Promise.all(Array.from({ length: 10 }, (_, i) => oneGuess(t, String(30_000_000 + i))));

    // One live PIN behind the code: each guess with it risks 1e-8; its share (a tenth of what the
    // codes may spend, half the bound) allows 10 of the 110 the rest of the bound would.
    const budget = guessBudget(parsePolicy(policyWith({ line: { guessBound: 2.1e-6 } })));
    expect(Math.floor(budget.perCode / riskOfGuess(1, 8))).toBe(10);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => guessWithCode(t, target.accountCode, String(40_000_000 + i))));
    expect(count(answers, /^Sorry, that was not recognised/)).toBe(10);
    expect(count(answers, PINS_UNAVAILABLE)).toBe(30);

    // Another account's customer, with their code and PIN, is put through.
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin(customer.accountCode, 1);
    expect(twimlOf(await call.pin(customer.pin, 2))).toContain('<Enqueue');
  });

  it('when guesses with many account codes spend the rest of the bound, then nothing more is checked and callers are told to open a ticket', async () => {
    const t = await lineWith({ guessBound: 2.1e-6 });
    const codes: string[] = [];
    for (let i = 0; i < 10; i += 1) codes.push((await givenPinWithCode(t)).accountCode);
    await Promise.all(Array.from({ length: 10 }, (_, i) => oneGuess(t, String(30_000_000 + i))));

    // Ten codes, one live PIN each: 10 guesses per code fit its share; what the ten PIN-only guesses
    // left of the bound allows 110 in all, so the last code's guesses meet the whole bound first.
    const more = async (code: string, from: number) =>
      Promise.all(Array.from({ length: 12 }, (_, i) => guessWithCode(t, code, String(from + i))));
    const answers = (await Promise.all(codes.map((code, i) => more(code, 40_000_000 + i * 100)))).flat();
    expect(count(answers, /^Sorry, that was not recognised/)).toBe(100);
    expect(await sample(t, 'callgate_guess_window_hit_probability')).toBeLessThanOrEqual(2.1e-6);
    // One more code: ten guesses fit its share, the whole bound has room for ten.
    const eleventh = await givenPinWithCode(t);
    const last = await Promise.all(Array.from({ length: 12 }, (_, i) => guessWithCode(t, eleventh.accountCode, String(50_000_000 + i))));
    expect(count(last, /^Sorry, that was not recognised/)).toBe(10);
    // A code with all its share left is now refused too: the whole bound is spent.
    expect(await guessWithCode(t, (await givenPinWithCode(t)).accountCode, '60000000')).toMatch(PINS_UNAVAILABLE);
    expect(await sample(t, 'callgate_guess_window_hit_probability')).toBeLessThanOrEqual(2.1e-6);

    // A day later the window has moved on: PINs are checked again, without the account code.
    t.clock.advance(25 * 3_600_000);
    expect(await oneGuess(t, '55555555')).toMatch(NOT_RECOGNISED);
    // And the codes' own spend of that day is forgotten with it.
    const spendFields = await t.redis.hkeys('callgate:{line}:pins:guess-spend');
    expect(spendFields.length).toBeGreaterThan(0);
    expect(spendFields.filter((field) => field.startsWith('c:'))).toEqual([]);
  });

  it('when guesses use account codes nobody has, then they risk nothing and spend none of the bound', async () => {
    const t = await lineWith({ guessBound: 2.1e-6 });
    for (let i = 0; i < 10; i += 1) await givenPinWithCode(t);
    await Promise.all(Array.from({ length: 10 }, (_, i) => oneGuess(t, String(60_000_000 + i))));
    const before = await sample(t, 'callgate_guess_window_hit_probability');
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin('000000', 1);
    expect(spoken(twimlOf(await call.pin('12345678', 2)))[0]).toMatch(/^Sorry, that was not recognised/);
    // Either the code is unused (no risk) or, rarely, it is a real account's: the bound still holds.
    expect(await sample(t, 'callgate_guess_window_hit_probability')).toBeLessThanOrEqual(Math.max(before, 2.1e-6));
  });
});

describe('the spend kept across the window', () => {
  const HOUR_MS = 3_600_000;
  const tenLivePins = async (t: TestApp) => {
    for (let i = 0; i < 10; i += 1) await givenPinWithCode(t);
  };
  const guesses = (t: TestApp, count: number, first: number) => Promise.all(Array.from({ length: count }, (_, i) => oneGuess(t, String(first + i))));

  it('when guesses fall out of the window bucket by bucket, then only the ones still inside count', async () => {
    // 20 PIN-only guesses fit the budget at ten live PINs (the first test above); PINs live an hour, so ten are issued each time.
    const t = await lineWith({ guessBound: 4.1e-6 });
    await tenLivePins(t);
    expect(count(await guesses(t, 15, 80_000_000), NOT_RECOGNISED)).toBe(15);
    t.clock.advance(12 * HOUR_MS);
    await tenLivePins(t);
    expect(count(await guesses(t, 3, 81_000_000), NOT_RECOGNISED)).toBe(3);
    // 18 of 20 spent: two more are checked, then the line asks for the account code.
    expect(count(await guesses(t, 4, 82_000_000), NOT_RECOGNISED)).toBe(2);

    // 25 hours after the first 15 they are out of the 24-hour window (and its bucket's hour); the 5 since are not.
    t.clock.advance(13 * HOUR_MS);
    await tenLivePins(t);
    const answers = await guesses(t, 20, 83_000_000);
    expect(count(answers, NOT_RECOGNISED)).toBe(15);
    expect(count(answers, ASKS_FOR_CODE)).toBe(5);
  });

  it('when the spend was written by the version that kept risk as a float per bucket, then it still counts, and is kept in whole units from then on', async () => {
    const t = await lineWith({ guessBound: 4.1e-6 });
    await tenLivePins(t);
    const windowMs = 24 * HOUR_MS;
    const bucket = Math.floor(t.clock.now() / Math.ceil(windowMs / 24));
    await t.redis.hset('callgate:{line}:pins:guess-spend', `r:${String(bucket)}`, String(15 * riskOfGuess(10, 8)), `g:${String(bucket)}`, '15');

    const answers = await guesses(t, 10, 84_000_000);
    expect(count(answers, NOT_RECOGNISED)).toBe(5);
    expect(count(answers, ASKS_FOR_CODE)).toBe(5);
    expect(await sample(t, 'callgate_guess_window_guesses')).toBe(20);
    const fields = Object.keys(await t.redis.hgetall('callgate:{line}:pins:guess-spend'));
    expect(fields).toContain(`u:${String(bucket)}`);
    expect(fields).not.toContain(`r:${String(bucket)}`);
  });
});

describe('failed PINs per caller number, under concurrency', () => {
  it('when one number makes 40 calls at once, then exactly 10 guesses are checked and every other call is turned away', async () => {
    const t = await lineWith({});
    const from = newCaller();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => oneGuess(t, String(70_000_000 + i), from)));
    expect(count(answers, NOT_RECOGNISED)).toBe(9);
    expect(count(answers, LOCKED_OUT)).toBe(31);
    expect(await sample(t, 'callgate_guess_window_guesses')).toBe(10);
    expect(spoken(twimlOf(await placeCall(t.app, t.config, from).voice()))[0]).toMatch(LOCKED_OUT);
  });
});

describe('a long call at the most attempts the policy allows', () => {
  it('when a call has answered more than 20 prompts (10 attempts, each after the account code), then the next prompt is still its own, and the right PIN puts the caller through', async () => {
    const t = await buildTestApp({ policy: policyWith({ pin: { ...DEFAULT_POLICY.pin, attemptsPerCall: 10 }, line: { ...DEFAULT_POLICY.line, guessBound: 2.1e-6, alarmFailuresPerMinute: 1000 } }) });
    apps.push(t);
    const accountId = await givenAccount(t.app);
    const { pin, accountCode } = await givenPinWithCode(t, accountId);
    for (let i = 0; i < 9; i += 1) await givenPinWithCode(t);
    // The PIN-only part of the bound spent (ten live PINs, 1e-7 a guess): the line asks for the code.
    for (let i = 0; i < 12; i += 1) await oneGuess(t, String(30_000_000 + i));

    const call = placeCall(t.app, t.config);
    let xml = twimlOf(await call.voice());
    const next = () => Number(/attempt=(\d+)/.exec(xml)?.[1]);
    for (let i = 0; i < 9; i += 1) {
      xml = twimlOf(await call.pin(accountCode, next()));
      xml = twimlOf(await call.pin(String(40_000_000 + i), next()));
    }
    xml = twimlOf(await call.pin(accountCode, next()));
    xml = twimlOf(await call.pin('', next()));
    // Nothing typed: asked for the PIN again (the code is kept), at the 21st prompt.
    expect(next()).toBe(21);
    expect(spoken(xml).at(-1)).toMatch(/enter your support PIN/);
    xml = twimlOf(await call.pin(pin, next()));
    expect(xml).toContain('<Enqueue');
  });
});

