import type { LineCall, RecentCalls } from './live-view-schema.js';
import type { NameRef, Names } from '../directory/directory-store.js';

const HOUR_MS = 3_600_000;
const HOURS = 24;
const SHOWN_CALLS = 50;
/** Upper bounds of the wait chart's bars, in seconds: a quick pickup, a minute, two, five, ten, longer. */
export const WAIT_BOUNDS = [30, 60, 120, 300, 600] as const;

export const iso = (at: number): string => new Date(at).toISOString();
type HourOfCalls = RecentCalls['perHour'][number];
const hourAt = (start: number): HourOfCalls => ({ hourStart: iso(start), counts: {} });

type Counted = Pick<LineCall, 'startedAt' | 'outcome' | 'waitSeconds'>;

/** The console's recent calls: the newest (as given: the feed picks their fields), and the last day's counts. */
export function recentCallsOf<C extends Counted>(calls: C[], now: number): Omit<RecentCalls, 'calls'> & { calls: C[] } {
  const firstHour = (Math.floor(now / HOUR_MS) - (HOURS - 1)) * HOUR_MS;
  const perHour = Array.from({ length: HOURS }, (_, i) => hourAt(firstHour + i * HOUR_MS));
  const waits = [...WAIT_BOUNDS, null].map((upToSeconds) => ({ upToSeconds, count: 0 }));
  for (const call of calls) {
    const hour = Math.floor((Date.parse(call.startedAt) - firstHour) / HOUR_MS);
    const bucket = perHour[hour];
    if (bucket === undefined) continue;
    bucket.counts[call.outcome] = (bucket.counts[call.outcome] ?? 0) + 1;
    if (call.waitSeconds === null) continue;
    const seconds = call.waitSeconds;
    const bar = waits.find((w) => w.upToSeconds === null || seconds <= w.upToSeconds);
    if (bar !== undefined) bar.count += 1;
  }
  return { at: iso(now), calls: calls.slice(0, SHOWN_CALLS), perHour, waits };
}

export const refsOf = (accountId: string | null, userId: string | null): NameRef[] =>
  accountId === null ? [] : [{ accountId, userId: userId ?? undefined }];

/** An account's and a user's names; null when the directory no longer holds them. */
export const namesOf = (names: Names, accountId: string | null, userId: string | null) => ({
  accountName: accountId === null ? null : (names.account(accountId) ?? null),
  userName: accountId === null || userId === null ? null : (names.user(accountId, userId) ?? null),
});
