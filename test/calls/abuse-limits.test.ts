import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import { logLines } from '../helpers/leak-watch.js';
import { buildTestApp, policyWith } from '../helpers/test-app.js';
import { newCaller, placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const ALARM_AT = 20;
const t = await buildTestApp({ policy: policyWith({ line: { alarmFailuresPerMinute: ALARM_AT } }) });
afterAll(() => t.close());
const LOCKED_OUT =
  'Too many incorrect PINs have been entered from this number. Please try again later, or open a ticket in the control panel. Goodbye.';

/** One call from `from` that gets `tries` PINs wrong. */
async function failedCall(from: string, tries: number): Promise<string[]> {
  const call = placeCall(t.app, t.config, from);
  await call.voice();
  const answers: string[] = [];
  for (let attempt = 1; attempt <= tries; attempt += 1) answers.push(twimlOf(await call.pin('13579135', attempt)));
  return answers;
}

describe('failed PINs per caller number', () => {
  it('when a number gets 10 PINs wrong within an hour, then it is told so at the 10th and turned away for an hour', async () => {
    const from = newCaller();
    for (let i = 0; i < 3; i += 1) await failedCall(from, 3);
    const answers = await failedCall(from, 1);
    expect(spoken(answers[0] ?? '')).toEqual([LOCKED_OUT]);

    const next = placeCall(t.app, t.config, from);
    const xml = twimlOf(await next.voice());
    expect(spoken(xml)).toEqual([LOCKED_OUT]);
    expect(xml).not.toContain('<Gather');

    // The security team is told, through the events outbox (docs/events.md).
    const lockedUntil = new Date(t.clock.now() + t.policy.callers.lockoutSeconds * 1000).toISOString();
    await eventually(async () => {
      const events = (await t.redis.xrange('callgate:{events}:outbox', '-', '+')).map(([, fields]) => JSON.parse(fields[5] ?? '{}') as { type: string; data: Record<string, unknown> });
      expect(events.filter((event) => event.type === 'pin.locked_out' && event.data.callerNumber === from)).toEqual([
        expect.objectContaining({ data: { callerNumber: from, failures: 10, lockedUntil } }),
      ]);
    });

    t.clock.advance(t.policy.callers.lockoutSeconds * 1000);
    expect(twimlOf(await placeCall(t.app, t.config, from).voice())).toContain('<Gather');
  });

  it('when failures are spread over more than an hour, then the old ones no longer count', async () => {
    const from = newCaller();
    for (let i = 0; i < 3; i += 1) await failedCall(from, 3);
    t.clock.advance(61 * 60_000);
    await failedCall(from, 3);
    expect(twimlOf(await placeCall(t.app, t.config, from).voice())).toContain('<Gather');
  });

  it('when the caller hangs up at the PIN prompt without typing, then the number is not penalised', async () => {
    const from = newCaller();
    for (let i = 0; i < 5; i += 1) {
      const call = placeCall(t.app, t.config, from);
      await call.voice();
      for (let attempt = 1; attempt <= 3; attempt += 1) await call.pin('', attempt);
    }
    expect(twimlOf(await placeCall(t.app, t.config, from).voice())).toContain('<Gather');
  });
});

describe('the line-wide alarm', () => {
  it('when failures across many numbers pass the threshold, then an error is logged, calls get one attempt, and a valid PIN still gets through', async () => {
    t.clock.advance(10 * 60_000);
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);

    // An attack from many numbers, with a real customer calling in the middle of it.
    const attack = Array.from({ length: ALARM_AT + 5 }, () => failedCall(newCaller(), 1));
    const customer = placeCall(t.app, t.config);
    await customer.voice();
    const [customerAnswer] = await Promise.all([customer.pin(pin), ...attack]);
    expect(twimlOf(customerAnswer)).toContain('<Enqueue');

    expect(logLines.some((line) => line.includes('"level":50') && line.includes('line alarm'))).toBe(true);
    expect((await request(t.internal).get('/metrics')).text).toMatch(/^callgate_line_alarm 1$/m);
    const [onlyTry] = await failedCall(newCaller(), 1);
    expect(spoken(onlyTry ?? '')[0]).toMatch(/^Sorry, we could not verify your PIN/);

    // Two quiet minutes later the alarm has subsided: three attempts again.
    t.clock.advance(2 * 60_000);
    const [firstTry] = await failedCall(newCaller(), 1);
    expect(firstTry).toContain('attempt=2');
  });
});
