import type { Clock } from '../clock.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { asTagged, defineScript } from '../redis/scripts.js';
import { makeEvent, type CallgateEvent, type EventData, type EventOf, type EventType } from './event-catalogue.js';
import { eventKeys } from './event-keys.js';

// A webhook retried by Twilio re-emits within minutes; a week is far past that.
const SEEN_TTL_MS = 7 * 86_400_000;
const DEFAULT_MAX_EVENTS = 50_000;

/** The emitters' side of the outbox; docs/events.md "For emitters (code)" says when to use which. */
export function createEventOutbox(redis: RedisClient, clock: Clock, { maxEvents = DEFAULT_MAX_EVENTS } = {}) {
  const appendEvent = defineScript(redis, new URL('./lua/append-event-5.lua', import.meta.url), asTagged);

  return {
    /** A checked event, occurring now. Pass `key` (e.g. the CallSid) when the emitting step can run twice. */
    event<T extends EventType>(type: T, data: EventData<T>, key?: string): EventOf<T> {
      return makeEvent(type, data, clock.now(), key);
    },

    /** With no deadline on purpose: a decided event written late is still wanted. */
    async emit(event: CallgateEvent): Promise<'appended' | 'duplicate'> {
      const keys = [eventKeys.outbox, eventKeys.due, eventKeys.tries, eventKeys.seen(event.id), eventKeys.dropped];
      const [outcome] = await appendEvent(keys, [event.id, event.type, JSON.stringify(event), maxEvents, SEEN_TTL_MS]);
      return outcome === 'appended' ? 'appended' : 'duplicate';
    },
  };
}

export type EventOutbox = ReturnType<typeof createEventOutbox>;
