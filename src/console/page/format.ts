import type { MissedCallView } from '../attention-schema.js';
import type { SysadminView } from '../live-view-schema.js';

// Times in the line's zone and language (sent with the live view), so every operator reads the
// times the callers and the hours mean; the day with every time, since a missed call may be yesterday's.
function lineClock(timeZone: string | undefined, locale: string | undefined) {
  const zone = timeZone === undefined ? {} : { timeZone };
  return {
    timeZone,
    locale,
    time: new Intl.DateTimeFormat(locale, { ...zone, weekday: 'short', hour: '2-digit', minute: '2-digit' }),
    clock: new Intl.DateTimeFormat(locale, { ...zone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    dayAndTime: new Intl.DateTimeFormat(locale, { ...zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    hourOnly: new Intl.DateTimeFormat(locale, { ...zone, hour: '2-digit', minute: '2-digit' }),
  };
}

// The browser's own until the first live view.
let current = lineClock(undefined, undefined);

/** Uses the line's zone and language from now on; true when they changed (what is shown should be redrawn). */
export function useLineClock(timeZone: string, locale: string): boolean {
  if (current.timeZone === timeZone && current.locale === locale) return false;
  try {
    current = lineClock(timeZone, locale);
  } catch {
    // A zone this browser does not know: its own zone, in the line's language if it knows that.
    current = lineClock(undefined, locale);
  }
  return true;
}

export const lineZone = (): string | undefined => current.timeZone;

/** "Mon 14:05": a time with its day. */
export const timeOf = (iso: string): string => current.time.format(new Date(iso));
/** "Mon 14:05:09": when the page was last updated. */
export const clockOf = (iso: string): string => current.clock.format(new Date(iso));
/** "Mon 7 Dec, 14:05". */
export const dayAndTimeOf = (iso: string): string => current.dayAndTime.format(new Date(iso));
/** "14:00": the charts' hours. */
export const hourOf = (iso: string): string => current.hourOnly.format(new Date(iso));

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function durationOf(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The API's words as words: "timed_out" → "timed out", "call.missed" → "call missed". */
export const words = (value: string): string => value.replaceAll(/[._]/g, ' ');

/** What the page says of a sysadmin's state and of why a caller was missed. */
export const SAID: Record<SysadminView['state'] | MissedCallView['reason'], string> = {
  free: 'Free',
  ringing: 'Pager ringing',
  briefing: 'Hearing who is waiting',
  connected: 'On a call',
  on_line: 'Phoned in',
  resting: 'Resting',
  timed_out: 'nobody took the call before the longest wait',
  hung_up: 'hung up while waiting',
  no_one_on_call: 'nobody on call could be paged',
  plan_closed: 'support hours ended while they waited',
  line_error: "Twilio's queue failed the call",
};
