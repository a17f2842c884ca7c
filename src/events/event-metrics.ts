import { Counter, type Registry } from 'prom-client';
import { scrapedGauges } from '../metrics/scraped-gauges.js';
import type { AttemptResult } from './event-delivery.js';
import type { DeadLetters } from './dead-letters.js';
import type { OutboxQueue } from './outbox-queue.js';

// Read from Redis at scrape time, so every instance reports the same line-wide values (the last
// known while Redis is down).
export function addEventMetrics(registry: Registry, deps: { queue: OutboxQueue; deadLetters: DeadLetters }) {
  const gauge = scrapedGauges(
    registry,
    async () => {
      const [backlog, dead] = await Promise.all([deps.queue.backlog(), deps.deadLetters.count()]);
      return { ...backlog, dead };
    },
    { size: 0, oldestAgeMs: 0, dropped: 0, dead: 0 },
  );
  gauge('callgate_events_outbox_size', 'Events not yet delivered (waiting, in flight or between retries)', (s) => s.size);
  gauge('callgate_events_delivery_lag_seconds', 'How long the oldest undelivered event has been in the outbox', (s) => s.oldestAgeMs / 1000);
  gauge('callgate_events_dead_letters', 'Events whose delivery was given up, kept for an operator to redeliver', (s) => s.dead);
  gauge('callgate_events_dropped', 'Events dropped because the capped outbox was full (e.g. EVENTS_URL unset for long)', (s) => s.dropped);
  const deliveries = new Counter({
    name: 'callgate_event_deliveries_total',
    help: 'Event delivery attempts by this instance, by result (all but delivered are retried)',
    labelNames: ['result'],
    registers: [registry],
  });
  return (result: AttemptResult): void => {
    deliveries.inc({ result });
  };
}
