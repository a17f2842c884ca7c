import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventsOn, eventsSecret, FAST, missedCall, receiverForFile, redisFor, until } from './event-helpers.js';

const secret = eventsSecret();
const receiver = receiverForFile(secret);

/** The delivery worker as its own process, sharing the test's Redis and key prefix. */
async function startWorker(prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/events/delivery-worker.ts', inject('redisUrl'), prefix, receiver().url, JSON.stringify(FAST)], {
    env: { PATH: process.env.PATH, EVENTS_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => {
    child.stdout.once('data', () => {
      resolve();
    });
  });
  return child;
}

describe('delivery across instances', () => {
  it('when two instances deliver from one outbox, then each event is sent by one of them at a time, and all arrive once', async () => {
    receiver().mode('ok');
    const { redis: a, prefix } = await redisFor();
    const { redis: b } = await redisFor(prefix);
    // A generous timeout: a late answer (a busy test process) would rightly be sent again, which is not what this test is about.
    const roomy = { sendTimeoutMs: 3000, leaseMs: 4500 };
    const first = eventsOn(a, { url: receiver().url, secret }, roomy);
    const second = eventsOn(b, { url: receiver().url, secret }, roomy);
    const events = Array.from({ length: 60 }, () => missedCall(first.outbox));
    for (const event of events) await first.outbox.emit(event);
    first.start();
    second.start();
    await until(async () => (await first.queue.backlog()).size === 0, 10_000);
    await Promise.all([first.stop(), second.stop()]);
    for (const event of events) expect(receiver().attemptsOf(event.id)).toBe(1);
    // Both took part, or the test proved nothing about two instances.
    expect(first.results.length).toBeGreaterThan(0);
    expect(second.results.length).toBeGreaterThan(0);
    expect(receiver().overlaps).toEqual([]);
    a.disconnect();
    b.disconnect();
  });

  it('when an instance is killed (SIGKILL) in the middle of sending, then another sends the event once its lease ends, never alongside', async () => {
    receiver().mode('hang');
    const { redis, prefix } = await redisFor();
    const survivor = eventsOn(redis, { url: receiver().url, secret });
    const event = missedCall(survivor.outbox);
    await survivor.outbox.emit(event);
    const worker = await startWorker(prefix);
    await until(() => receiver().attemptsOf(event.id) === 1, 5000);
    const sentAt = Date.now();
    worker.kill('SIGKILL');
    receiver().mode('ok');
    survivor.start();
    await until(() => receiver().attemptsOf(event.id) === 2, 5000);
    const retriedAt = receiver().requests.filter((r) => r.eventId === event.id).at(-1)?.at ?? 0;
    // The dead instance's lease (1.5 s, from its claim just before sending) had to run out first.
    expect(retriedAt - sentAt).toBeGreaterThanOrEqual(FAST.leaseMs - FAST.sendTimeoutMs - 100);
    await until(async () => (await survivor.queue.backlog()).size === 0);
    expect(receiver().events().filter((e) => e.id === event.id)).toHaveLength(1);
    expect(receiver().overlaps).not.toContain(event.id);
    await survivor.stop();
    redis.disconnect();
  });
});
