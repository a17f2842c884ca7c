import Holidays from 'date-holidays';
import type { Policy } from '../policy/policy-schema.js';

const CLOSING_HOLIDAY_TYPES = new Set(['public', 'bank']);

/** Whether the line is closed on a local date (`YYYY-MM-DD`): a public or bank holiday, or an extra closure. */
export function createClosureCalendar(holidays: Policy['holidays']): (date: string) => boolean {
  if (holidays === undefined) return () => false;
  const extra = new Set(holidays.extraClosures);
  const calendar =
    holidays.region === undefined ? new Holidays(holidays.country) : new Holidays(holidays.country, holidays.region);
  const byYear = new Map<number, Set<string>>();

  function holidaysOf(year: number): Set<string> {
    let dates = byYear.get(year);
    if (dates === undefined) {
      // `date` is "YYYY-MM-DD hh:mm:ss" in the country's own calendar.
      dates = new Set(
        calendar
          .getHolidays(year)
          .filter((holiday) => CLOSING_HOLIDAY_TYPES.has(holiday.type))
          .map((holiday) => holiday.date.slice(0, 10)),
      );
      byYear.set(year, dates);
    }
    return dates;
  }

  return (date) => extra.has(date) || holidaysOf(Number(date.slice(0, 4))).has(date);
}
