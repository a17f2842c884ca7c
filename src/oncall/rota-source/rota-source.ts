import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import { oncallListSchema, sysadminSchema, type Sysadmin } from '../oncall-schema.js';

// What the PagerDuty and Opsgenie readers share. They only read; rota-sync.ts decides what is written.
export type RotaSourceName = 'pagerduty' | 'opsgenie';

/** Someone on call at the source whom callgate cannot page (they stay off the rota), and why. */
export interface LeftOut {
  /** The source's user id, never a phone number. */
  id: string;
  /** invalid_entry: a name callgate cannot show or speak (control characters, too long) or an id outside its format. */
  reason: 'no_phone' | 'invalid_entry' | 'same_phone_as_another' | 'rota_full';
}

export interface RotaReader {
  source: RotaSourceName;
  read(): Promise<{ list: Sysadmin[]; leftOut: LeftOut[] }>;
}

/** Someone on call at the source, once, in paging order, with the phone numbers found for them (best first). */
export interface OnCallPerson {
  id: string;
  name: string;
  phones: string[];
}

// Longer than the source's own slow answers, well under the sync interval.
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * GETs `url` and parses its JSON with `schema`. A failure's message goes to the log and the API: the
 * operation and the HTTP status or fetch's cause, never a header, a query with a key, or the answer.
 */
export async function getJson<S extends z.ZodType>(url: URL, authorization: string, schema: S, what: string, accept = 'application/json'): Promise<z.output<S>> {
  const headers = { Authorization: authorization, Accept: accept };
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch((e: unknown) => e);
  if (!(res instanceof Response)) {
    const cause = res instanceof Error ? (res.cause instanceof Error ? res.cause.message : res.message) : 'failed';
    throw new Error(`${what}: ${cause}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${what}: HTTP ${String(res.status)}`);
  }
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new Error(`${what}: the answer is not in the documented shape`);
  return parsed.data;
}

/**
 * An E.164 number from the number as the source keeps it ("7700 900123", "07700900123") and its
 * country calling code ("44"), or from an international "+44…" alone; undefined if not possible.
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
 * The escalation list, each person with their first phone number no one before them has. Whoever
 * cannot be paged is named, so a rota that lost someone says so rather than shrinking quietly.
 */
export function rotaOf(people: OnCallPerson[]): { list: Sysadmin[]; leftOut: LeftOut[] } {
  const list: Sysadmin[] = [];
  const leftOut: LeftOut[] = [];
  const phonesTaken = new Set<string>();
  for (const { id, name, phones } of people) {
    const phone = phones.find((candidate) => !phonesTaken.has(candidate));
    const sysadmin = sysadminSchema.safeParse({ id, name, phone });
    if (phones.length === 0) leftOut.push({ id, reason: 'no_phone' });
    else if (phone === undefined) leftOut.push({ id, reason: 'same_phone_as_another' });
    else if (list.length >= MAX_ROTA) leftOut.push({ id, reason: 'rota_full' });
    else if (!sysadmin.success) leftOut.push({ id, reason: 'invalid_entry' });
    else {
      phonesTaken.add(sysadmin.data.phone);
      list.push(sysadmin.data);
    }
  }
  return { list: oncallListSchema.parse(list), leftOut };
}
