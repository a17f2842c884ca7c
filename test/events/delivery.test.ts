import { describe, expect, it } from 'vitest';
import { retryDelayMs, type DeliverySettings } from '../../src/events/event-delivery.js';
import { REPLAY_WINDOW_SECONDS, signatureHeader, verifySignature } from '../../src/events/event-signature.js';
import { eventsOn, eventsSecret, FAST, missedCall, receiverForFile, redisFor, sleep, until } from './event-helpers.js';

const secret = eventsSecret();
const receiver = receiverForFile(secret);

/** A fresh outbox (own key prefix) delivering to the receiver(). */
async function line(settings: Partial<DeliverySettings> = {}) {
  const { redis } = await redisFor();
  const events = eventsOn(redis, { url: receiver().url, secret }, settings);
  return {
    ...events,
    done: async () => {
      await events.stop();
      redis.disconnect();
    },
  };
}

const timesOf = (id: string) => receiver().requests.filter((r) => r.eventId === id).map((r) => r.at);

describe('delivering events to the control panel', () => {
  it('when the receiver answers 200, then it gets the event once, signed, and the outbox is empty', async () => {
    receiver().mode('ok');
    const l = await line({ sendTimeoutMs: 3000, leaseMs: 4500 });
    const event = missedCall(l.outbox);
    await l.outbox.emit(event);
    l.start();
    await until(() => receiver().events().some((e) => e.id === event.id));
    await until(async () => (await l.queue.backlog()).size === 0);
    expect(receiver().events().find((e) => e.id === event.id)).toEqual(event);
    expect(receiver().attemptsOf(event.id)).toBe(1);
    expect(receiver().requests.filter((r) => r.eventId === event.id).every((r) => r.verified)).toBe(true);
    expect(l.results).toEqual(['delivered']);
    await l.done();
  });

  for (const [mode, result] of [['fail', 'http_5xx'], ['redirect', 'http_3xx']] as const) {
    it(`when the receiver answers ${result}, then the event is retried with growing delays until it is accepted`, async () => {
      receiver().mode(mode);
      const l = await line();
      const event = missedCall(l.outbox);
      await l.outbox.emit(event);
      l.start();
      await until(() => receiver().attemptsOf(event.id) >= 4);
      receiver().mode('ok');
      await until(() => receiver().events().some((e) => e.id === event.id));
      await until(async () => (await l.queue.backlog()).size === 0);
      expect(l.results.slice(0, 4)).toEqual([result, result, result, result]);
      expect(l.results.at(-1)).toBe('delivered');
      const gaps = timesOf(event.id).slice(1).map((at, i) => at - (timesOf(event.id)[i] ?? at));
      // Equal jitter: attempt n waits between half and all of min(400, 50 * 2^(n-1)) ms, plus a tick.
      gaps.forEach((gap, i) => {
        const ceiling = Math.min(FAST.maxRetryMs, FAST.firstRetryMs * 2 ** i);
        expect(gap).toBeGreaterThanOrEqual(ceiling / 2 - 5);
        expect(gap).toBeLessThanOrEqual(ceiling + 300);
      });
      expect(receiver().overlaps).not.toContain(event.id);
      await l.done();
    });
  }

  /** One event sent while the receiver misbehaves (`misbehave`) for two attempts, then delivered once it is fine again. */
  async function deliveredAfterTwoTries(misbehave: () => void) {
    misbehave();
    const l = await line();
    const event = missedCall(l.outbox);
    await l.outbox.emit(event);
    l.start();
    await until(() => receiver().attemptsOf(event.id) >= 2, 5000);
    receiver().mode('ok');
    await until(async () => (await l.queue.backlog()).size === 0, 5000);
    return { l, event };
  }

  it('when the receiver hangs past the send timeout, then the attempt is abandoned and retried, never two at once', async () => {
    const { l, event } = await deliveredAfterTwoTries(() => {
      receiver().mode('hang');
    });
    const times = timesOf(event.id);
    expect(times[1] ?? 0).toBeGreaterThanOrEqual((times[0] ?? 0) + FAST.sendTimeoutMs);
    expect(l.results.slice(0, 2)).toEqual(['timeout', 'timeout']);
    expect(receiver().overlaps).not.toContain(event.id);
    await l.done();
  });

  it('when the receiver answers 200 only after the timeout, then the event is sent again and the receiver deduplicates it by id', async () => {
    const { l, event } = await deliveredAfterTwoTries(() => {
      receiver().mode('late', { lateMs: FAST.sendTimeoutMs + 200 });
    });
    expect(receiver().events().filter((e) => e.id === event.id)).toHaveLength(1);
    expect(l.results[0]).toBe('timeout');
    expect(receiver().overlaps).not.toContain(event.id);
    await l.done();
  });

  it('when the receiver is down and comes back, then every event waiting is delivered', async () => {
    const l = await line();
    await receiver().down();
    const events = Array.from({ length: 5 }, () => missedCall(l.outbox));
    for (const event of events) await l.outbox.emit(event);
    l.start();
    await until(() => l.results.filter((r) => r === 'network_error').length >= 10);
    await receiver().up();
    receiver().mode('ok');
    await until(async () => (await l.queue.backlog()).size === 0, 5000);
    expect(events.every((event) => receiver().events().some((e) => e.id === event.id))).toBe(true);
    await l.done();
  });

  it('when an event keeps failing past the retry window, then it becomes a dead letter with its last result', async () => {
    receiver().mode('fail');
    const { redis } = await redisFor();
    const l = eventsOn(redis, { url: receiver().url, secret }, { retryForMs: 400 });
    const event = missedCall(l.outbox);
    await l.outbox.emit(event);
    l.start();
    await until(async () => (await l.deadLetters.count()) === 1, 5000);
    const { deadLetters } = await l.deadLetters.list(10);
    expect(deadLetters[0]).toMatchObject({ event, lastResult: 'http_5xx' });
    expect(deadLetters[0]?.attempts).toBeGreaterThan(1);
    expect((await l.queue.backlog()).size).toBe(0);
    await sleep(300);
    const attempts = receiver().attemptsOf(event.id);
    await sleep(300);
    expect(receiver().attemptsOf(event.id)).toBe(attempts);
    await l.stop();
    redis.disconnect();
  });
});

describe('the signature and the backoff', () => {
  it('when the body, the secret or the time differ, then the signature does not verify', () => {
    const now = 1_800_000_000;
    const header = signatureHeader(secret, '{"a":1}', now);
    expect(verifySignature(secret, '{"a":1}', header, now + 10)).toBe(true);
    expect(verifySignature(secret, '{"a":2}', header, now)).toBe(false);
    expect(verifySignature(`${secret}x`, '{"a":1}', header, now)).toBe(false);
    expect(verifySignature(secret, '{"a":1}', header, now + REPLAY_WINDOW_SECONDS + 1)).toBe(false);
    expect(verifySignature(secret, '{"a":1}', undefined, now)).toBe(false);
  });

  it('when attempts go on, then the delay doubles up to the maximum and never exceeds it', () => {
    const settings = { ...FAST, firstRetryMs: 5000, maxRetryMs: 1_800_000 };
    expect(retryDelayMs(1, settings, () => 1)).toBe(5000);
    expect(retryDelayMs(2, settings, () => 0)).toBe(5000);
    expect(retryDelayMs(3, settings, () => 1)).toBe(20_000);
    expect(retryDelayMs(40, settings, () => 1)).toBe(1_800_000);
    expect(retryDelayMs(40, settings, () => 0)).toBe(900_000);
  });
});
