import Holidays from 'date-holidays';

/** Days on which the line is closed: public/bank holidays of the policy's region, plus extra closures. */
export interface ClosureCalendar {
  /** `date` is a local calendar date, `YYYY-MM-DD`. */
  isClosedOn(date: string): boolean;
}

const CLOSING_HOLIDAY_TYPES = new Set(['public', 'bank']);

/** The policy's `holidays` (src/policy/policy-schema.ts checks the region: holiday-regions.ts). */
export interface HolidayRule {
  country: string;
  region?: string | undefined;
  extraClosures: string[];
}

export function createClosureCalendar(holidays: HolidayRule | undefined): ClosureCalendar {
  if (holidays === undefined) return { isClosedOn: () => false };
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

  return {
    isClosedOn: (date) => extra.has(date) || holidaysOf(Number(date.slice(0, 4))).has(date),
  };
}
