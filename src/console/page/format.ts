/** How the console writes times and durations: the viewer's own time zone and language. */

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const timeOf = (iso: string): string => clock.format(new Date(iso));
export const dayAndTimeOf = (iso: string): string => dayAndTime.format(new Date(iso));
export const hourOf = (iso: string): string => hourOnly.format(new Date(iso));

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function durationOf(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Snake-case words of the API as words: "timed_out" → "timed out". */
export const words = (value: string): string => value.replaceAll('_', ' ');
