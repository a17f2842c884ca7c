import type { ChainableCommander, Result } from 'ioredis';
import type { Clock } from '../clock.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, isLate } from '../redis/deadline.js';
import { withRedis } from '../redis/redis-errors.js';
import { UnavailableError } from '../errors.js';
import { makeEvent, type CallgateEvent, type EventData, type EventOf, type EventType } from './event-catalogue.js';
import { eventKeys } from './event-keys.js';

/**
 * Appends one event to the outbox, once per event id, and makes it due now.
 * Guarantee: an event id is appended at most once (for SEEN_TTL_MS), and an
 * appended event is due for delivery in the same atomic step; with a deadline
 * (appendIn, inside an emitter's MULTI) nothing happens if it runs late, like
 * the emitter's own guarded script beside it. The outbox is capped: past
 * ARGV[5] entries the oldest is dropped and counted.
 * KEYS: outbox, due, tries, seen:<id>, dropped
 * ARGV: deadline ms, event id, type, event JSON, max entries, seen TTL ms
 * Returns {'late'} | {'duplicate'} | {'appended', entry id}.
 */
const APPEND_EVENT_LUA = `${DEADLINE_GUARD_LUA}
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[6]) then return {'duplicate'} end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[2], 'type', ARGV[3], 'event', ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(string.match(entry, '^(%d+)')), entry)
if redis.call('XLEN', KEYS[1]) > tonumber(ARGV[5]) then
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
  redis.call('XDEL', KEYS[1], oldest)
  redis.call('ZREM', KEYS[2], oldest)
  redis.call('HDEL', KEYS[3], oldest)
  redis.call('INCR', KEYS[5])
end
return {'appended', entry}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    appendEvent(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

// A webhook retried by Twilio re-emits within minutes; a week is far past that.
const SEEN_TTL_MS = 7 * 86_400_000;
// "No deadline" for emit(): the guard compares against this and never fires.
const NO_DEADLINE = Number.MAX_SAFE_INTEGER;
export const DEFAULT_MAX_EVENTS = 50_000;

export type EmitResult = 'appended' | 'duplicate';

/**
 * The emitters' side of the outbox. See the README ("Events to the control
 * panel") for which of appendIn and emit to use where.
 */
export function createEventOutbox(redis: RedisClient, clock: Clock, options: { maxEvents?: number } = {}) {
  redis.defineCommand('appendEvent', { numberOfKeys: 5, lua: APPEND_EVENT_LUA });
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  const args = (event: CallgateEvent, deadline: number) => [
    eventKeys.outbox,
    eventKeys.due,
    eventKeys.tries,
    eventKeys.seen(event.id),
    eventKeys.dropped,
    deadline,
    event.id,
    event.type,
    JSON.stringify(event),
    maxEvents,
    SEEN_TTL_MS,
  ];

  return {
    /**
     * A checked event of `type`, occurring now. Pass `key` (what the event is about, e.g. the
     * CallSid) whenever the emitting step can run twice: the id is then derived from it.
     */
    event<T extends EventType>(type: T, data: EventData<T>, key?: string): EventOf<T> {
      return makeEvent(type, data, clock.now(), key);
    },

    /**
     * Queues the append in the emitter's own MULTI, so the event is written if and only if the
     * emitter's state change is (standalone or Sentinel; on Cluster a MULTI cannot span hash
     * tags, so use emit()). `deadline` is the one the emitter's guarded script got: a late
     * EXEC appends nothing, as the emitter's script does nothing. Its reply in EXEC's results
     * is ['appended', entry] | ['duplicate'] | ['late'].
     */
    appendIn(multi: ChainableCommander, event: CallgateEvent, deadline: number): ChainableCommander {
      return multi.appendEvent(...args(event, deadline));
    },

    /**
     * Appends the event now, on its own. Call it after the state change that decided it and
     * before answering, with a `key`-derived id: if it fails the emitter's step fails, and
     * the retried step emits the same id again, which the outbox keeps once. It has no
     * deadline on purpose: a decided event written late is still wanted.
     */
    async emit(event: CallgateEvent): Promise<EmitResult> {
      const reply = await withRedis(() => redis.appendEvent(...args(event, NO_DEADLINE)));
      if (isLate(reply)) throw new UnavailableError('event append ran after its deadline');
      return Array.isArray(reply) && reply[0] === 'appended' ? 'appended' : 'duplicate';
    },
  };
}

export type EventOutbox = ReturnType<typeof createEventOutbox>;
