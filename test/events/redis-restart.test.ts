import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../tools/private-redis.js';
import { startEventReceiver, type EventReceiver } from '../../sim/event-receiver.js';
import { eventsOn, eventsSecret, missedCall, redisFor, until } from './event-helpers.js';

const secret = eventsSecret();
let receiver: EventReceiver;
let redisServer: PrivateRedis;
beforeAll(async () => {
  receiver = await startEventReceiver({ secret });
  // Its own redis-server with an append-only file (fsync always), killed and started again below.
  redisServer = await startPrivateRedis({ persistent: true });
});
afterAll(async () => {
  await receiver.close();
  await redisServer.stop();
});

describe('delivery across a Redis restart', () => {
  it('when Redis is killed and restarts from its AOF, then every event waiting, retrying or dead is still there and is delivered', async () => {
    const { redis } = await redisFor(undefined, redisServer.url);
    const events = eventsOn(redis, { url: receiver.url, secret });
    const dying = eventsOn(redis, { url: receiver.url, secret }, { retryForMs: 200 });
    receiver.mode('fail');
    const dead = missedCall(dying.outbox);
    await dying.outbox.emit(dead);
    dying.start();
    await until(async () => (await dying.deadLetters.count()) === 1, 5000);
    await dying.stop();

    const waiting = Array.from({ length: 10 }, () => missedCall(events.outbox));
    for (const event of waiting) await events.outbox.emit(event);
    events.start();
    await until(() => waiting.every((event) => receiver.attemptsOf(event.id) >= 1), 5000);

    await redisServer.stop();
    receiver.mode('ok');
    await redisServer.start();
    await until(() => waiting.every((event) => receiver.events().some((e) => e.id === event.id)), 10_000);
    await until(async () => (await events.queue.backlog()).size === 0, 5000);
    expect(receiver.overlaps).toEqual([]);
    expect((await events.deadLetters.list(10)).deadLetters.map((letter) => letter.event.id)).toEqual([dead.id]);
    // An event emitted again after the restart is still known, and not sent twice.
    expect(await events.outbox.emit(waiting[0] ?? dead)).toBe('duplicate');
    await events.stop();
    redis.disconnect();
  });
});
