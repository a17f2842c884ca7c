import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import { oncallListSchema, sysadminSchema, type Sysadmin } from '../oncall-schema.js';

/**
 * Where the team keeps its rota when it is not callgate's own list (PUT /v1/oncall): a
 * reader turns one read of PagerDuty or Opsgenie into callgate's escalation list. The
 * readers only read; src/oncall/rota-source/rota-sync.ts decides what is written.
 */
export type RotaSourceName = 'pagerduty' | 'opsgenie';

/** Someone on call at the source whom callgate cannot page, and why (they stay off the rota). */
export interface LeftOut {
  /** The source's user id, never a phone number. */
  id: string;
  /** invalid_entry: a name callgate cannot show or speak (control characters, too long) or an id outside its format. */
  reason: 'no_phone' | 'invalid_entry' | 'same_phone_as_another' | 'rota_full';
}

export interface RotaRead {
  list: Sysadmin[];
  leftOut: LeftOut[];
}

export interface RotaReader {
  source: RotaSourceName;
  read(): Promise<RotaRead>;
}

/** Someone on call at the source, in paging order, with the phone numbers found for them (best first). */
export interface OnCallPerson {
  id: string;
  name: string;
  phones: string[];
}

/**
 * A read that failed. Its message is written for the log and the API: the HTTP status and
 * the operation, never a header, a query with a key in it, or what the source said back.
 */
export class RotaSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotaSourceError';
  }
}

// Longer than the source's own slow answers, well under the sync interval.
const REQUEST_TIMEOUT_MS = 10_000;

/** GETs `url` with `authorization` and parses the JSON answer with `schema`; anything else is a RotaSourceError. */
export async function getJson<S extends z.ZodType>(url: URL, authorization: string, schema: S, what: string, accept = 'application/json'): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: authorization, Accept: accept }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    // fetch's own errors name the cause (refused, timed out), never the request's headers.
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : 'failed';
    throw new RotaSourceError(`${what}: ${cause}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RotaSourceError(`${what}: HTTP ${String(res.status)}`);
  }
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new RotaSourceError(`${what}: the answer is not in the documented shape`);
  return parsed.data;
}

/**
 * An E.164 number from the number as the source keeps it ("7700 900123", "07700900123") and
 * its country calling code ("44"), or from an international "+44…" alone; undefined when they
 * do not make a possible number.
 */
export function e164Of(number: string, callingCode?: string): string | undefined {
  try {
    const parsed = parsePhoneNumberFromString(number, callingCode === undefined ? undefined : { defaultCallingCode: callingCode });
    return parsed?.isPossible() === true ? parsed.number : undefined;
  } catch {
    // An unknown calling code throws.
    return undefined;
  }
}

// The rota's own limit (oncallListSchema): the first 50 in paging order are kept.
const MAX_ROTA = 50;

/**
 * The escalation list from the people on call, in order: each once (their first place), with
 * their first phone number no one before them has. Whoever cannot be paged is left out and
 * named, so a rota that lost someone says so rather than shrinking quietly.
 */
export function rotaOf(people: OnCallPerson[]): RotaRead {
  const list: Sysadmin[] = [];
  const leftOut: LeftOut[] = [];
  const seen = new Set<string>();
  const phonesTaken = new Set<string>();
  for (const person of people) {
    if (seen.has(person.id)) continue;
    seen.add(person.id);
    const phone = person.phones.find((candidate) => !phonesTaken.has(candidate));
    const reason = leftOutReason(person, phone, list.length);
    if (reason !== undefined) {
      leftOut.push({ id: person.id, reason });
      continue;
    }
    const sysadmin = sysadminSchema.safeParse({ id: person.id, name: person.name, phone });
    if (!sysadmin.success) {
      leftOut.push({ id: person.id, reason: 'invalid_entry' });
      continue;
    }
    phonesTaken.add(sysadmin.data.phone);
    list.push(sysadmin.data);
  }
  return { list: oncallListSchema.parse(list), leftOut };
}

function leftOutReason(person: OnCallPerson, phone: string | undefined, placed: number): LeftOut['reason'] | undefined {
  if (person.phones.length === 0) return 'no_phone';
  if (phone === undefined) return 'same_phone_as_another';
  if (placed >= MAX_ROTA) return 'rota_full';
  return undefined;
}
