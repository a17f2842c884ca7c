import type { ChainableCommander } from 'ioredis';
import type { Clock } from '../clock.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { asTagged, defineScript } from '../redis/scripts.js';
import { makeEvent, type CallgateEvent, type EventData, type EventOf, type EventType } from './event-catalogue.js';
import { eventKeys } from './event-keys.js';

// A webhook retried by Twilio re-emits within minutes; a week is far past that.
const SEEN_TTL_MS = 7 * 86_400_000;
// "No deadline" for emit(): the guard compares against this and never fires.
const NO_DEADLINE = Number.MAX_SAFE_INTEGER;
export const DEFAULT_MAX_EVENTS = 50_000;

export type EmitResult = 'appended' | 'duplicate';

/**
 * The emitters' side of the outbox. See docs/events.md ("For emitters
 * (code)") for which of appendIn and emit to use where.
 */
export function createEventOutbox(redis: RedisClient, clock: Clock, options: { maxEvents?: number } = {}) {
  const appendEvent = defineScript(redis, new URL('./lua/append-event-5.lua', import.meta.url), asTagged);
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  const keysOf = (event: CallgateEvent) => [eventKeys.outbox, eventKeys.due, eventKeys.tries, eventKeys.seen(event.id), eventKeys.dropped];
  const args = (event: CallgateEvent, deadline: number) => [deadline, event.id, event.type, JSON.stringify(event), maxEvents, SEEN_TTL_MS];

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
      return appendEvent.queueIn(multi, keysOf(event), args(event, deadline));
    },

    /**
     * Appends the event now, on its own. Call it after the state change that decided it and
     * before answering, with a `key`-derived id: if it fails the emitter's step fails, and
     * the retried step emits the same id again, which the outbox keeps once. It has no
     * deadline on purpose: a decided event written late is still wanted.
     */
    async emit(event: CallgateEvent): Promise<EmitResult> {
      const [outcome] = await appendEvent(keysOf(event), args(event, NO_DEADLINE));
      return outcome === 'appended' ? 'appended' : 'duplicate';
    },
  };
}

export type EventOutbox = ReturnType<typeof createEventOutbox>;
