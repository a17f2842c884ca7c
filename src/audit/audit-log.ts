import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { createAuditWriter } from './audit-writer.js';
import { auditEventSchema, type AuditEvent } from './call-history.js';

export type AuditInput = Omit<AuditEvent, 'at'>;
export type StreamEntry = [id: string, fields: string[]];

/** The events of audit stream entries, in their order: one bad entry must not take a whole answer down. */
export function auditEventsOf(entries: StreamEntry[]): AuditEvent[] {
  return entries.flatMap(([, fields]) => {
    let json: unknown;
    try {
      json = JSON.parse(fields[1] ?? 'null');
    } catch {
      return [];
    }
    const parsed = auditEventSchema.safeParse(json);
    return parsed.success ? [parsed.data] : [];
  });
}

// Approximate caps.
const LINE_STREAM_MAX = 100_000;
const ACCOUNT_STREAM_MAX = 5_000;

export function createAuditLog(deps: { redis: RedisClient; clock: Clock; log: Logger; metrics?: Metrics }) {
  const { redis, clock, log, metrics } = deps;
  const writer = createAuditWriter(redis);

  function count(event: AuditEvent): void {
    if (metrics === undefined) return;
    metrics.callEvents.inc({ type: event.type, reason: event.reason ?? '' });
    if (event.type === 'pin_failed') metrics.pinChecks.inc({ result: event.reason ?? 'failed' });
    if (event.type === 'pin_verified') metrics.pinChecks.inc({ result: 'verified' });
    const waited = ['connected', 'abandoned', 'timed_out'].includes(event.type) ? event.waitSeconds : undefined;
    if (waited !== undefined) metrics.queueWait.observe(waited);
  }

  function write(events: AuditInput[], when: 'next turn' | 'soon'): Promise<void> {
    const writes = events.flatMap((input) => {
      const event: AuditEvent = { ...input, at: clock.now() };
      log.info({ audit: event }, `call ${event.type}`);
      count(event);
      const json = JSON.stringify(event);
      return [
        writer.append(keys.auditEvents, LINE_STREAM_MAX, json, when),
        ...(event.accountId === undefined ? [] : [writer.append(keys.accountCalls(event.accountId), ACCOUNT_STREAM_MAX, json, when)]),
      ];
    });
    return Promise.all(writes).then(() => undefined);
  }

  return {
    /** Resolves once the events are in Redis. */
    record(...events: AuditInput[]): Promise<void> {
      return write(events, 'next turn');
    },

    /** For a step whose answer is being sent: written within a few ms, shared with others. Nobody awaits it. */
    recordSoon(...events: AuditInput[]): void {
      setImmediate(() => {
        write(events, 'soon').catch((error: unknown) => {
          log.error({ err: error, callSid: events[0]?.callSid, types: events.map((event) => event.type) }, 'could not write audit events');
        });
      });
    },

    /** The account's most recent events, oldest first. */
    async accountEvents(accountId: string, count: number): Promise<AuditEvent[]> {
      const entries = await withRedis(() => redis.xrevrange(keys.accountCalls(accountId), '+', '-', 'COUNT', count));
      return auditEventsOf(entries).reverse();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
