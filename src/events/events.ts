import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { createDeadLetters } from './dead-letters.js';
import { createEventDelivery, type DeliverySettings } from './event-delivery.js';
import { addEventMetrics } from './event-metrics.js';
import { createEventOutbox } from './event-outbox.js';
import { createOutboxQueue } from './outbox-queue.js';

// Attempts one instance keeps open at once: a hanging receiver holds at most this many.
const MAX_IN_FLIGHT = 16;
// The lease outlasts the send timeout by this: see event-delivery.ts.
const LEASE_EXTRA_MS = 5000;

function deliverySettings(policy: Policy): DeliverySettings {
  const e = policy.events;
  return {
    sendTimeoutMs: e.sendTimeoutSeconds * 1000,
    leaseMs: e.sendTimeoutSeconds * 1000 + LEASE_EXTRA_MS,
    firstRetryMs: e.firstRetrySeconds * 1000,
    maxRetryMs: e.maxRetrySeconds * 1000,
    retryForMs: e.retryForHours * 3_600_000,
    maxInFlight: MAX_IN_FLIGHT,
  };
}

/** The outbox emitters write to, the dead letters operators see, and (with EVENTS_URL) the delivery main.ts runs. */
export function createEvents(deps: { redis: RedisClient; clock: Clock; config: Config; policy: Policy; log: Logger; registry: Registry }) {
  const { redis, clock, config, policy, log } = deps;
  const outbox = createEventOutbox(redis, clock);
  const queue = createOutboxQueue(redis);
  const deadLetters = createDeadLetters(redis);
  const countAttempt = addEventMetrics(deps.registry, { queue, deadLetters });
  const delivery =
    config.events === undefined
      ? undefined
      : createEventDelivery({ queue, target: config.events, settings: deliverySettings(policy), log, onAttempt: countAttempt });
  return { outbox, deadLetters, delivery };
}

export type Events = ReturnType<typeof createEvents>;
