import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { guessBudget, guessesLeft, hitProbability, riskOfGuess } from '../../src/policy/guess-bound.js';
import { RISK_UNIT } from '../../src/pins/guess-scripts.js';
import type { TestApp } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import {
  ASKS_FOR_CODE,
  CHECKED,
  CODE_CHANGED,
  NOT_RECOGNISED,
  count,
  givenCustomer,
  givenLivePins,
  guesses,
  guessingCall,
  lineWith,
  sample,
} from './guess-helpers.js';

/*
 * The guessing bound (docs/security.md "The guessing bound"), statements 1 and 2, held under
 * concurrency and across the window. A tiny bound makes a day's allowance a handful of guesses,
 * so a test can spend it; a cap of 5 live PINs per account is what such a bound allows.
 * Statement 3 (availability) is test/calls/guess-availability.test.ts.
 */
const LOCKED_OUT = /^Too many incorrect PINs have been entered from this number/;
const TINY = { line: { guessBound: 2.1e-6 }, pin: { livePerAccount: 5 } };
const SMALL = { line: { guessBound: 4.1e-6 }, pin: { livePerAccount: 5 } };
const budgetOf = (policy: typeof TINY) => guessBudget(parsePolicy({ ...DEFAULT_POLICY, line: policy.line, pin: { ...policy.pin } }));

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

describe('statement 1: PIN-only guessing, from any numbers, finds a live PIN with chance below the bound', () => {
  it('when no PIN is live, then the PIN-only guesses left are unbounded (the metric says +Inf), and none once the allowance is spent', () => {
    const policy = parsePolicy(DEFAULT_POLICY);
    expect(guessesLeft(0, 0, policy)).toBe(Infinity);
    expect(guessesLeft(guessBudget(policy).pinOnly, 10, policy)).toBe(0);
  });

  it('when 60 numbers guess at once, then no more guesses are checked than the bound allows, and a customer still gets through with the account code', async () => {
    const t = await lineWith(apps, SMALL);
    const customer = await givenCustomer(t);
    await givenLivePins(t, 9, 1);
    // Ten live PINs of 10^8: each random guess hits with 1e-7; the PIN-only half of the bound allows 20.
    const allowed = Math.floor(budgetOf(SMALL).pinOnly / riskOfGuess(10, 8));
    expect(allowed).toBe(20);

    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => guessingCall(t, [String(10_000_000 + i)], undefined, newCaller())));
    expect(count(answers.flat(), NOT_RECOGNISED)).toBe(allowed);
    expect(count(answers.flat(), ASKS_FOR_CODE)).toBe(60 - allowed);
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

  it('when the PIN-only allowance runs out in the middle of a call, then the PIN typed is not checked, costs no attempt, and works after the account code', async () => {
    const t = await lineWith(apps, TINY);
    const customer = await givenCustomer(t);
    await givenLivePins(t, 9, 1);
    const call = placeCall(t.app, t.config);
    expect(twimlOf(await call.voice())).toContain('support PIN from your control panel');
    // Ten guesses spend the PIN-only half while the customer is still typing.
    await guesses(t, 10, { perCall: 1 });

    expect(spoken(twimlOf(await call.pin(customer.pin, 1)))[0]).toMatch(ASKS_FOR_CODE);
    await call.pin(customer.accountCode, 2);
    expect(twimlOf(await call.pin(customer.pin, 3))).toContain('<Enqueue');
  });

  it('whatever live PINs come and go between guesses, the risk of the PIN-only guesses checked stays within the allowance, and a guess is refused only when it would not fit (property)', async () => {
    const budget = budgetOf(TINY);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ issued: fc.integer({ min: 0, max: 12 }), guesses: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 5 }),
        async (plan) => {
          const t = await lineWith(apps, TINY);
          let live = 0;
          let spent = 0;
          for (const step of plan) {
            await givenLivePins(t, step.issued, 1);
            live += step.issued;
            for (const heard of await guesses(t, step.guesses, { perCall: 1 })) {
              const risk = riskOfGuess(live, 8);
              if (CHECKED.test(heard)) spent += risk;
              // Refused only when the guess would have taken the spend past the allowance (to within the units' rounding).
              else expect(spent + risk).toBeGreaterThan(budget.pinOnly - 1e-12);
            }
          }
          expect(spent).toBeLessThanOrEqual(budget.pinOnly);
          expect(hitProbability(spent)).toBeLessThan(t.policy.line.guessBound);
          // The line counts each guess's risk rounded up to 1e-14: a hair above the exact sum, never below.
          const shown = await sample(t, 'callgate_guess_window_hit_probability');
          expect(shown).toBeCloseTo(hitProbability(spent), 11);
          expect(shown).toBeGreaterThanOrEqual(hitProbability(spent) - 1e-16);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe("statement 2: guessing aimed at one account spends only that account code's own allowance", () => {
  it("when guesses with three accounts' codes interleave, then each code's guesses are checked exactly as far as its own allowance goes, whatever the others do, and then the code is retired (property)", async () => {
    const budget = budgetOf(TINY);
    const units = (risk: number): number => Math.ceil(risk / RISK_UNIT);
    const allowance = Math.floor(budget.perCode / RISK_UNIT);
    // The miss that leaves less than one guess at the cap retires the code (docs/security.md "The guessing bound"): the misses it takes.
    const toRetire = (live: number): number => {
      let misses = 1;
      while (misses * units(riskOfGuess(live, 8)) + units(budget.atCap) <= allowance) misses += 1;
      return misses;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 3, max: 5 })),
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 2 }), guesses: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 10 }),
        async (livePins, plan) => {
          const t = await lineWith(apps, TINY);
          // A busy line (110 live PINs): every call is asked for the account code.
          await givenLivePins(t, 22, 5);
          const codes = await Promise.all(livePins.map(async (live) => (await givenLivePins(t, 1, live))[0] ?? ''));
          // The third account's code is guessed out first, the others' guesses interleave after.
          const steps = [{ who: 2, guesses: toRetire(livePins[2]) }, ...plan];
          const made = [0, 0, 0];
          const checked = [0, 0, 0];
          for (const step of steps) {
            const heard = await guesses(t, step.guesses, { code: codes[step.who] ?? '', perCall: 3 });
            made[step.who] = (made[step.who] ?? 0) + step.guesses;
            checked[step.who] = (checked[step.who] ?? 0) + count(heard, CHECKED);
            expect(count(heard, CHECKED) + count(heard, CODE_CHANGED)).toBe(step.guesses);
          }
          livePins.forEach((live, who) => {
            expect(checked[who]).toBe(Math.min(made[who] ?? 0, toRetire(live)));
            // The chance those guesses found one of the account's PINs, with all PIN-only guesses too: below the bound.
            const spent = (checked[who] ?? 0) * riskOfGuess(live, 8);
            expect(spent).toBeLessThanOrEqual(budget.perCode);
            expect(hitProbability(spent + budget.pinOnly)).toBeLessThanOrEqual(t.policy.line.guessBound);
          });
        },
      ),
      { numRuns: 5 },
    );
  });

  it("when guesses with an account code are made, then they spend none of the line's PIN-only allowance: a day later PIN-only guessing gets all of it back", async () => {
    const HOUR_MS = 3_600_000;
    const t = await lineWith(apps, SMALL);
    await givenLivePins(t, 10, 1);
    expect(count(await guesses(t, 25, { perCall: 1 }), NOT_RECOGNISED)).toBe(20);

    // Twelve hours on, with the PIN-only allowance still spent: 30 wrong guesses with one account's code.
    t.clock.advance(12 * HOUR_MS);
    const [code = ''] = await givenLivePins(t, 10, 1);
    expect(count(await guesses(t, 30, { code }), CHECKED)).toBe(30);

    // 25 hours after the first guesses they are out of the window; the ones with the code are not, and do not count.
    t.clock.advance(13 * HOUR_MS);
    await givenLivePins(t, 10, 1);
    const answers = await guesses(t, 25, { perCall: 1 });
    expect(count(answers, NOT_RECOGNISED)).toBe(20);
    expect(count(answers, ASKS_FOR_CODE)).toBe(5);
  });
});

describe('the spend kept across the window', () => {
  const HOUR_MS = 3_600_000;
  const tenLivePins = (t: TestApp) => givenLivePins(t, 10, 1);

  it('when guesses fall out of the window bucket by bucket, then only the ones still inside count', async () => {
    // 20 PIN-only guesses fit the allowance at ten live PINs (the first test above); PINs live ten minutes, so ten are issued each time.
    const t = await lineWith(apps, SMALL);
    await tenLivePins(t);
    expect(count(await guesses(t, 15, { perCall: 1 }), NOT_RECOGNISED)).toBe(15);
    t.clock.advance(12 * HOUR_MS);
    await tenLivePins(t);
    expect(count(await guesses(t, 3, { perCall: 1 }), NOT_RECOGNISED)).toBe(3);
    // 18 of 20 spent: two more are checked, then the line asks for the account code.
    expect(count(await guesses(t, 4, { perCall: 1 }), NOT_RECOGNISED)).toBe(2);

    // 25 hours after the first 15 they are out of the 24-hour window (and its bucket's hour); the 5 since are not.
    t.clock.advance(13 * HOUR_MS);
    await tenLivePins(t);
    const answers = await guesses(t, 20, { perCall: 1 });
    expect(count(answers, NOT_RECOGNISED)).toBe(15);
    expect(count(answers, ASKS_FOR_CODE)).toBe(5);
  });

  it('when the spend was written by the version that kept risk as a float per bucket, then it still counts, and is kept in whole units from then on', async () => {
    const t = await lineWith(apps, SMALL);
    await tenLivePins(t);
    const windowMs = 24 * HOUR_MS;
    const bucket = Math.floor(t.clock.now() / Math.ceil(windowMs / 24));
    await t.redis.hset('callgate:{line}:pins:guess-spend', `r:${String(bucket)}`, String(15 * riskOfGuess(10, 8)), `g:${String(bucket)}`, '15');

    const answers = await guesses(t, 10, { perCall: 1 });
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
    const t = await lineWith(apps);
    const from = newCaller();
    const answers = (await Promise.all(Array.from({ length: 40 }, (_, i) => guessingCall(t, [String(70_000_000 + i)], undefined, from)))).flat();
    expect(count(answers, NOT_RECOGNISED)).toBe(9);
    expect(count(answers, LOCKED_OUT)).toBe(31);
    expect(await sample(t, 'callgate_guess_window_guesses')).toBe(10);
    expect(spoken(twimlOf(await placeCall(t.app, t.config, from).voice()))[0]).toMatch(LOCKED_OUT);
  });
});

describe('a long call at the most attempts the policy allows', () => {
  it('when a call has answered more than 20 prompts (10 attempts, each after the account code), then the next prompt is still its own, and the right PIN puts the caller through', async () => {
    const t = await lineWith(apps, { line: TINY.line, pin: { attemptsPerCall: 10, livePerAccount: 5 } });
    const { pin, accountCode } = await givenCustomer(t);
    await givenLivePins(t, 9, 1);
    // The PIN-only part of the bound spent (ten live PINs, 1e-7 a guess): the line asks for the code.
    await guesses(t, 12, { perCall: 1 });

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
