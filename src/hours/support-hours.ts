import { DateTime } from 'luxon';
import { WEEKDAYS, type Policy, type Tier, type Weekday } from '../policy/policy-schema.js';
import { createClosureCalendar } from './closure-calendar.js';

export type SupportHours = ReturnType<typeof createSupportHours>;

type Interval = { start: number; end: number };

// How far ahead nextChange looks: a tier may be closed for a long run of holidays, but not for a year.
const LOOKAHEAD_DAYS = 400;

// Time zone arithmetic is costly and every call asks about today: days and their hours are remembered.
const CACHED_DAYS = 2000;

/** When each tier's phone line is open, in the policy's time zone, holidays and clock changes included. */
export function createSupportHours(policy: Policy) {
  const isClosedOn = createClosureCalendar(policy.holidays);
  const zone = policy.timezone;
  // Local days by their first instant, each with the first instant of the next day.
  const days = new Map<number, { day: DateTime; end: number }>();
  let today: { day: DateTime; end: number } | undefined;
  const intervalCache = new Map<string, Interval[]>();

  function remember(day: DateTime): { day: DateTime; end: number } {
    const start = day.toMillis();
    let known = days.get(start);
    if (known === undefined) {
      if (days.size >= CACHED_DAYS) days.clear();
      known = { day, end: day.plus({ days: 1 }).startOf('day').toMillis() };
      days.set(start, known);
    }
    return known;
  }

  /** The local calendar day containing `at`. */
  function dayContaining(at: number): DateTime {
    if (today === undefined || at < today.day.toMillis() || at >= today.end) {
      today = remember(DateTime.fromMillis(at, { zone }).startOf('day'));
    }
    return today.day;
  }

  /** The local day after `day`. */
  function dayAfter(day: DateTime): DateTime {
    const end = remember(day).end;
    return days.get(end)?.day ?? remember(DateTime.fromMillis(end, { zone })).day;
  }

  /** The open intervals of one local calendar day, as instants. */
  function intervalsOn(tierName: string, tier: Tier, day: DateTime): Interval[] {
    const key = `${tierName}|${String(day.toMillis())}`;
    let intervals = intervalCache.get(key);
    if (intervals === undefined) {
      if (intervalCache.size >= CACHED_DAYS) intervalCache.clear();
      const closed = !tier.phoneSupport || (tier.closedOnPublicHolidays && isClosedOn(day.toISODate() ?? ''));
      const spans = closed ? [] : (tier.hours[WEEKDAYS[day.weekday - 1] as Weekday] ?? []);
      intervals = spans
        .map((span) => ({ start: instantAt(day, span.open), end: instantAt(day, span.close) }))
        .filter((interval) => interval.start < interval.end)
        .sort((a, b) => a.start - b.start);
      intervalCache.set(key, intervals);
    }
    return intervals;
  }

  function isOpen(tierName: string, at: number): boolean {
    const tier = policy.tiers[tierName];
    if (tier === undefined) return false;
    return intervalsOn(tierName, tier, dayContaining(at)).some((interval) => interval.start <= at && at < interval.end);
  }

  /** The next instant after `at` at which `isOpen` changes, or null if it will not within a year. */
  function nextChange(tierName: string, at: number): number | null {
    const tier = policy.tiers[tierName];
    if (tier === undefined) return null;
    const open = isOpen(tierName, at);
    // While open: the end of the run of back-to-back intervals that contains `at`.
    let edge = at;
    let day = dayContaining(at);
    for (let offset = 0; offset < LOOKAHEAD_DAYS; offset += 1, day = dayAfter(day)) {
      for (const interval of intervalsOn(tierName, tier, day)) {
        if (interval.end <= at) continue;
        if (interval.start > edge) return open ? edge : interval.start;
        // Spans may overlap as instants when a close falls in the hour the clocks skip.
        edge = Math.max(edge, interval.end);
      }
    }
    // Open through the whole horizon (e.g. around the clock): no change to announce.
    return open && edge < day.toMillis() ? edge : null;
  }

  return {
    isOpen,
    nextChange,
    /** True when at least one tier with phone support is open at `at`. */
    isLineOpen: (at: number) => Object.keys(policy.tiers).some((name) => isOpen(name, at)),
  };
}

/** The instant of `minutes` past local midnight of `day`; a time skipped by a clock change moves forward. */
function instantAt(day: DateTime, minutes: number): number {
  if (minutes >= 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}
