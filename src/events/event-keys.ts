/**
 * The outbox's keys, all under the `{events}` hash tag so every outbox script
 * runs unchanged on Redis Cluster. They live here rather than in
 * src/redis/keys.ts because nothing outside src/events touches them.
 * - `outbox`: a stream of undelivered events (fields id, type, event);
 * - `due`: stream entry id -> when it may next be sent (ms, Redis' clock); a
 *   claimed entry is pushed out by its lease, so "due" also means "not leased";
 * - `tries`: stream entry id -> attempts so far (the lease token of the last claim);
 * - `seen:<eventId>`: an event id already appended (drops a second emit of it);
 * - `dead`, `deadOrder`: dead letters by event id, and their order by when they died;
 * - `dropped`: events the capped outbox had to drop, for /metrics.
 */
const tag = 'callgate:{events}';

export const eventKeys = {
  outbox: `${tag}:outbox`,
  due: `${tag}:due`,
  tries: `${tag}:tries`,
  seen: (eventId: string) => `${tag}:seen:${eventId}`,
  dead: `${tag}:dead`,
  deadOrder: `${tag}:dead-order`,
  dropped: `${tag}:dropped`,
} as const;

// Every outbox time is Redis' own (lua/*.lua read it with includes/redis-clock), so instances' clocks never disagree.

/** The ms part of a stream entry id ("1712345678901-0"): when Redis appended it. */
export const entryTime = (entryId: string): number => Number(entryId.split('-')[0]);
