// The outbox's keys, under their own `{events}` tag (one slot on Cluster); only src/events uses them.
// Their times are Redis' own (includes/redis-clock), so instances' clocks never disagree.
const tag = 'callgate:{events}';

export const eventKeys = {
  outbox: `${tag}:outbox`, // a stream of undelivered events (fields id, type, event)
  due: `${tag}:due`, // entry id -> when it may next be sent; a claim pushes it out by its lease
  tries: `${tag}:tries`, // entry id -> attempts so far, the lease token of the last claim
  seen: (eventId: string) => `${tag}:seen:${eventId}`, // an event id already appended
  dead: `${tag}:dead`, // dead letters by event id
  deadOrder: `${tag}:dead-order`, // their event ids by when they died
  dropped: `${tag}:dropped`, // how many events the capped outbox dropped
} as const;
