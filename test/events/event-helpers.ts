import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDeadLetters } from '../../src/events/dead-letters.js';
import type { EventOf } from '../../src/events/event-catalogue.js';
import {
  createEventDelivery,
  runEventDeliveryEvery,
  type AttemptResult,
  type DeliverySettings,
} from '../../src/events/event-delivery.js';
import { createEventOutbox } from '../../src/events/event-outbox.js';
import { createOutboxQueue } from '../../src/events/outbox-queue.js';
import { createLogger } from '../../src/logger.js';
import { connectRedis, type RedisClient } from '../../src/redis/connect-redis.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';
import { testClock } from '../helpers/test-clock.js';
import { newCallSid } from '../helpers/twilio-webhooks.js';
import { startEventReceiver, type EventReceiver } from '../../sim/event-receiver.js';

/** Delivery on a test's scale: a 300 ms send timeout, retries from 50 ms up to 400 ms. */
export const FAST: DeliverySettings = {
  sendTimeoutMs: 300,
  leaseMs: 1500,
  firstRetryMs: 50,
  maxRetryMs: 400,
  retryForMs: 60_000,
  maxInFlight: 8,
};

export const TICK_MS = 20;

export function eventsSecret(): string {
  const secret = `events-${randomBytes(24).toString('hex')}`;
  rememberSecret(secret);
  return secret;
}

export const log = createLogger({ level: 'info', destination: logSink });

export async function redisFor(prefix = `ev${randomUUID().slice(0, 8)}:`, url = inject('redisUrl')): Promise<{ redis: RedisClient; prefix: string }> {
  const redis = connectRedis({ kind: 'standalone', url }, log, { keyPrefix: prefix });
  await new Promise((resolve) => redis.once('ready', resolve));
  return { redis, prefix };
}

/** The outbox, its queue and dead letters, and a delivery to `url` running every TICK_MS. */
export function eventsOn(redis: RedisClient, target: { url: string; secret: string }, settings: Partial<DeliverySettings> = {}) {
  const outbox = createEventOutbox(redis, testClock());
  const queue = createOutboxQueue(redis);
  const deadLetters = createDeadLetters(redis);
  const results: AttemptResult[] = [];
  const delivery = createEventDelivery({ queue, target, settings: { ...FAST, ...settings }, log, onAttempt: (r) => results.push(r) });
  let stop: (() => Promise<void>) | undefined;
  return {
    outbox,
    queue,
    deadLetters,
    delivery,
    results,
    start: () => {
      stop ??= runEventDeliveryEvery(delivery, TICK_MS, log);
    },
    stop: async () => {
      await stop?.();
      stop = undefined;
    },
  };
}

export function missedCall(outbox: ReturnType<typeof createEventOutbox>, callSid = newCallSid()): EventOf<'call.missed'> {
  return outbox.event(
    'call.missed',
    { callSid, accountId: 'acct-1', userId: 'user-1', callerNumber: '+447900000001', reason: 'timed_out', waitSeconds: 600 },
    callSid,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` is true, up to `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${String(ms)} ms`);
    await sleep(10);
  }
}

/** One event receiver for a whole test file, checking `secret`: started before its tests, closed after. */
export function receiverForFile(secret: string): () => EventReceiver {
  let receiver: EventReceiver | undefined;
  beforeAll(async () => {
    receiver = await startEventReceiver({ secret });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  return () => {
    if (receiver === undefined) throw new Error('the event receiver starts before the tests');
    return receiver;
  };
}
