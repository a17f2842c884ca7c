import request from 'supertest';
import { expect } from 'vitest';
import { WITHHELD_FROM } from '../../sim/withheld-numbers.js';
import { createPinStore, type PinStore } from '../../src/pins/pin-store.js';
import type { PolicyInput } from '../../src/policy/policy-schema.js';
import { api, givenAccount, givenUser, newId, pinPath } from '../helpers/givens.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, policyWith, type TestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/** What the guessing tests hear, and how they guess (docs/security.md "The guessing bound"). */
export const NOT_RECOGNISED = /^Sorry, that PIN was not recognised/;
export const CODE_MISS = /^Sorry, that was not recognised/;
export const ASKS_FOR_CODE = /first enter the account code shown with your PIN/;
export const CODE_CHANGED = /^Sorry, that account code has been changed to keep your account safe/;
/** What the line said when guessing had spent its whole budget (before issue 22). */
export const CANNOT_CHECK = /cannot check PINs/;
export const WITHHELD = WITHHELD_FROM.anonymous;
/** The attempt the last answer's prompt posts to. */
const nextAttempt = (xml: string): number => Number(/attempt=(\d+)/.exec(xml)?.[1]);

// Guessing goes on day and night: the tests move the clock by hours and days.
const ALWAYS_OPEN = { phoneSupport: true, priority: 1, closedOnPublicHolidays: false, hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, ['00:00-24:00']])) };

/** A line with `policy`, open around the clock (the alarm out of the way: it only shortens calls); closed by the caller's afterAll. */
export async function lineWith(apps: TestApp[], policy: Partial<PolicyInput> = {}): Promise<TestApp> {
  const t = await buildTestApp({
    policy: policyWith({ tiers: { standard: ALWAYS_OPEN }, ...policy, pin: { ...policy.pin }, line: { alarmFailuresPerMinute: 100_000, ...policy.line } }),
  });
  apps.push(t);
  return t;
}

export interface Customer {
  accountId: string;
  userId: string;
  pin: string;
  accountCode: string;
}

/** A user of `accountId` (a new account when absent) given a PIN through the control panel API. */
export async function givenCustomer(t: TestApp, accountId?: string): Promise<Customer> {
  const account = accountId ?? (await givenAccount(t.app));
  const userId = await givenUser(t.app, account);
  return { accountId: account, userId, ...(await newPinFor(t, account, userId)) };
}

export async function newPinFor(t: TestApp, accountId: string, userId: string): Promise<{ pin: string; accountCode: string }> {
  const res = await api(t.app).post(pinPath(accountId, userId));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const issued = res.body as { pin: string; accountCode: string };
  rememberSecret(issued.pin);
  return { pin: issued.pin, accountCode: issued.accountCode };
}

/**
 * Live PINs issued straight into the line's PIN index (no directory users behind them): the
 * other customers of a busy line, or an attacker's own. Returns each account's code.
 */
export async function givenLivePins(t: TestApp, accounts: number, perAccount: number, accountId?: () => string): Promise<string[]> {
  const store: PinStore = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin, accountCodeDigits: t.policy.line.accountCodeDigits });
  return Promise.all(
    Array.from({ length: accounts }, async () => {
      const account = accountId?.() ?? newId('acct');
      let code = '';
      for (let i = 0; i < perAccount; i += 1) code = (await store.issue({ accountId: account, userId: newId('user') })).accountCode;
      return code;
    }),
  );
}

/**
 * One call (from a withheld number unless `from` is given) that types each of `pins` in turn,
 * each after `code` when given; what it heard after each PIN, ending when the line stops asking.
 * A PIN-only caller the line asks for the code hears that and types no more.
 */
export async function guessingCall(t: TestApp, pins: readonly string[], code?: string, from: string = WITHHELD): Promise<string[]> {
  const call = placeCall(t.app, t.config, from);
  let xml = twimlOf(await call.voice());
  const heard: string[] = [];
  for (const pin of pins) {
    if (!xml.includes('<Gather')) break;
    if (code === undefined && ASKS_FOR_CODE.test(spoken(xml)[0] ?? '')) {
      heard.push(spoken(xml)[0] ?? '');
      break;
    }
    if (code !== undefined) xml = twimlOf(await call.pin(code, nextAttempt(xml)));
    xml = twimlOf(await call.pin(pin, nextAttempt(xml)));
    heard.push(spoken(xml)[0] ?? '');
  }
  return heard;
}

/**
 * `count` wrong PINs, `perCall` to a call, each after `code` when given; what was heard after each.
 * Once the line asks for the code (PIN only) or says the code changed, the rest hear the same.
 */
export async function guesses(t: TestApp, count: number, options: { code?: string; first?: number; perCall?: number } = {}): Promise<string[]> {
  const { code, first = 10_000_000 + Math.floor(Math.random() * 80_000_000), perCall = 3 } = options;
  const heard: string[] = [];
  while (heard.length < count) {
    const pins = Array.from({ length: Math.min(perCall, count - heard.length) }, (_, i) => String(first + heard.length + i));
    const answers = await guessingCall(t, pins, code);
    heard.push(...answers);
    const last = answers.at(-1) ?? '';
    if (answers.length === 0 || ASKS_FOR_CODE.test(last) || CODE_CHANGED.test(last)) {
      while (heard.length < count) heard.push(last);
    }
  }
  return heard;
}

/** A guess the line checked and found wrong: "not recognised", or the call's last attempt spent. */
export const CHECKED = /^Sorry, (that PIN was not recognised|that was not recognised|we could not verify your PIN)/;

/** A customer's whole call: the account code when asked, then the PIN. The last TwiML heard. */
export async function customerCalls(t: TestApp, customer: { pin: string; accountCode: string }): Promise<string> {
  const call = placeCall(t.app, t.config);
  let xml = twimlOf(await call.voice());
  if (ASKS_FOR_CODE.test(spoken(xml)[0] ?? '')) xml = twimlOf(await call.pin(customer.accountCode, nextAttempt(xml)));
  return twimlOf(await call.pin(customer.pin, nextAttempt(xml)));
}

export async function sample(t: TestApp, name: string): Promise<number> {
  const text = (await request(t.internal).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

export const count = (answers: string[], pattern: RegExp): number => answers.filter((a) => pattern.test(a)).length;
