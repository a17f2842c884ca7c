import { auditEventsOf, type StreamEntry } from '../audit/audit-log.js';
import { summariseCalls, type AuditEvent } from '../audit/call-history.js';
import type { Clock } from '../clock.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

const DAY_MS = 24 * 3_600_000;
const PAGE = 1000;
// A bound on memory and on the first read, far above a day of a support line's calls.
const MAX_EVENTS = 200_000;

const first = (events: AuditEvent[], field: 'accountId' | 'userId'): string | null =>
  events.find((e) => e[field] !== undefined)?.[field] ?? null;

// The last day of calls across accounts, folded in this process from the line-wide audit stream:
// after a first read back a day, each refresh reads only what was added since the last id seen.
export function createLineHistory(deps: { redis: RedisClient; clock: Clock }) {
  const { redis, clock } = deps;
  // Each call's events, oldest first; the map keeps calls in the order they were first seen.
  const calls = new Map<string, AuditEvent[]>();
  // Who is on a bridged call with which caller, until that call ends.
  const connections = new Map<string, string>();
  let lastId: string | undefined;
  let eventCount = 0;

  function apply(event: AuditEvent): void {
    const events = calls.get(event.callSid) ?? [];
    if (events.length === 0) calls.set(event.callSid, events);
    events.push(event);
    eventCount += 1;
    if (event.type === 'connected' && event.sysadminId !== undefined) connections.set(event.sysadminId, event.callSid);
    if (event.type === 'completed' || event.type === 'abandoned') {
      for (const [sysadminId, callSid] of connections) if (callSid === event.callSid) connections.delete(sysadminId);
    }
  }

  /** Forgets calls that started more than a day ago (they were first seen first). */
  function prune(now: number): void {
    for (const [callSid, events] of calls) {
      const started = events[0]?.at ?? 0;
      if (started >= now - DAY_MS && eventCount <= MAX_EVENTS) break;
      calls.delete(callSid);
      eventCount -= events.length;
    }
  }

  /** The first read: newest first, a page at a time, back to a day ago. */
  async function backfill(now: number): Promise<void> {
    const pages: StreamEntry[][] = [];
    let end = '+';
    for (let read = 0; read < MAX_EVENTS; read += PAGE) {
      const page = await withRedis(() => redis.xrevrange(keys.auditEvents, end, '-', 'COUNT', PAGE));
      pages.push(page);
      const oldest = page.at(-1);
      if (page.length < PAGE || oldest === undefined) break;
      if ((auditEventsOf([oldest])[0]?.at ?? 0) < now - DAY_MS) break;
      end = `(${oldest[0]}`;
    }
    const entries = pages.flat().reverse();
    lastId = entries.at(-1)?.[0] ?? '0-0';
    for (const event of auditEventsOf(entries)) apply(event);
  }

  return {
    async refresh(): Promise<void> {
      const now = clock.now();
      if (lastId === undefined) await backfill(now);
      for (;;) {
        const from = `(${lastId ?? '0-0'}`;
        const page = await withRedis(() => redis.xrange(keys.auditEvents, from, '+', 'COUNT', PAGE));
        lastId = page.at(-1)?.[0] ?? lastId;
        for (const event of auditEventsOf(page)) apply(event);
        if (page.length < PAGE) break;
      }
      prune(now);
    },

    /** The last day's calls, newest first. */
    calls() {
      return [...calls.values()].reverse().flatMap((events) =>
        summariseCalls(events).map((call) => ({ ...call, accountId: first(events, 'accountId') })),
      );
    },

    /** When `sysadminId` was last paged for the caller `callSid`, if this process saw it. */
    pagedAt(callSid: string, sysadminId: string): number | undefined {
      return calls.get(callSid)?.findLast((e) => e.type === 'paged' && e.sysadminId === sysadminId)?.at;
    },

    /** The caller a sysadmin is bridged to, while that call lasts. */
    connectedCaller(sysadminId: string) {
      const callSid = connections.get(sysadminId);
      const events = callSid === undefined ? undefined : calls.get(callSid);
      if (callSid === undefined || events === undefined) return undefined;
      return { callSid, accountId: first(events, 'accountId'), userId: first(events, 'userId') };
    },
  };
}

export type LineHistory = ReturnType<typeof createLineHistory>;
