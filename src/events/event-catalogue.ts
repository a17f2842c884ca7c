import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CALL_SID } from '../caller-id.js';

// The events sent to EVENTS_URL: types, checked bodies and OpenAPI `webhooks` all come from these schemas.
// A change that could break a receiver gets a new `version` for that type.

const callSid = z.string().regex(CALL_SID).describe("Twilio's CallSid of the customer's call");
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
// Absent when the caller withheld their number.
const callerNumber = z.string().min(1).max(32).optional().describe('The number the customer called from, as Twilio gave it');
const seconds = z.number().int().min(0);
const verifiedCall = { callSid, accountId: id, userId: id, callerNumber };

const callConnected = z.object({
  ...verifiedCall,
  sysadminId: id.describe('The sysadmin the caller was bridged to'),
  waitSeconds: seconds.describe('How long the caller waited before the bridge'),
});

export const MISSED_REASONS = ['timed_out', 'hung_up', 'no_one_on_call', 'paging_failed', 'hours_ended'] as const;

const callMissed = z.object({
  ...verifiedCall,
  reason: z.enum(MISSED_REASONS).describe('Why no sysadmin took the verified caller'),
  waitSeconds: seconds,
});

const voicemailRecorded = z.object({
  ...verifiedCall,
  recordingUrl: z.url({ protocol: /^https?$/ }).describe("The recording at Twilio (fetch it with the Twilio account's credentials)"),
  recordingSid: z.string().regex(/^RE[0-9a-fA-F]{32}$/).optional(),
  durationSeconds: seconds,
  waitSeconds: seconds.describe('How long the caller had waited before being offered voicemail'),
});

const pinLockedOut = z.object({
  callerNumber: z.string().min(1).max(32),
  failures: z.number().int().min(1).describe('Failed PINs from this number that caused the lockout'),
  lockedUntil: z.iso.datetime().describe('Calls from this number are turned away until then'),
});

const oncallPinFailures = z.object({
  sysadminId: id,
  failures: z.number().int().min(1).describe("Wrong on-call PINs in the sysadmin's window, this one included"),
  since: z.iso.datetime().describe('When the first of them was typed'),
  windowHours: z.number().int().min(1),
  locked: z.boolean().describe('The window is full: PIN entry on their calls is refused until the oldest failure leaves it, or an operator sets a new on-call PIN'),
});

const callbackConnected = z.object({
  callSid: callSid.describe('The missed call that this callback closes'),
  callbackCallSid: callSid.describe('The call callgate placed to the customer'),
  accountId: id,
  userId: id,
  callerNumber,
  sysadminId: id,
});

/** Every event type, its data and the version of that data. */
export const EVENT_TYPES = {
  'call.connected': { version: 1, data: callConnected, summary: 'A verified caller was bridged to a sysadmin' },
  'call.missed': { version: 1, data: callMissed, summary: 'A verified caller was not connected to anyone' },
  'voicemail.recorded': { version: 1, data: voicemailRecorded, summary: 'A verified caller nobody answered left a message' },
  'pin.locked_out': { version: 1, data: pinLockedOut, summary: 'A caller number was locked out after failed PINs' },
  'callback.connected': { version: 1, data: callbackConnected, summary: 'A sysadmin called a missed customer back and they were connected' },
  'oncall_pin.failures': {
    version: 1,
    data: oncallPinFailures,
    summary: "Wrong on-call PINs on calls to a sysadmin's registered phone reached the alarm threshold (someone holding that phone is guessing)",
  },
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export type EventData<T extends EventType> = z.input<(typeof EVENT_TYPES)[T]['data']>;

/** The envelope every event shares; `data` is the type's own body. */
function envelope<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    id: z.uuid().describe('Unique per event; the same in every delivery attempt: deduplicate by it'),
    type: z.literal(type),
    occurredAt: z.iso.datetime().describe('When callgate decided the event (UTC)'),
    version: z.literal(EVENT_TYPES[type].version).describe('The version of this type\'s data'),
    data,
  });
}

export const eventSchema = z.discriminatedUnion('type', [
  envelope('call.connected', callConnected),
  envelope('call.missed', callMissed),
  envelope('voicemail.recorded', voicemailRecorded),
  envelope('pin.locked_out', pinLockedOut),
  envelope('callback.connected', callbackConnected),
  envelope('oncall_pin.failures', oncallPinFailures),
]);
export type CallgateEvent = z.output<typeof eventSchema>;
export type EventOf<T extends EventType> = Extract<CallgateEvent, { type: T }>;

// Derived from what the event is about, so a step run twice (a retried webhook) emits one id; a v8 UUID.
function eventIdFor(type: EventType, key: string): string {
  const hex = createHash('sha256').update(`${type}\n${key}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A bad body is the emitter's bug and throws here, before anything is written. No `key`: a random id. */
export function makeEvent<T extends EventType>(type: T, data: EventData<T>, at: number, key?: string): EventOf<T> {
  return eventSchema.parse({
    id: key === undefined ? randomUUID() : eventIdFor(type, key),
    type,
    occurredAt: new Date(at).toISOString(),
    version: EVENT_TYPES[type].version,
    data,
  }) as EventOf<T>;
}
