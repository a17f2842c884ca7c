import Holidays from 'date-holidays';

/** True when the country (and region) is known to the holiday library. */
export function isKnownHolidayRegion(country: string, region: string | undefined): boolean {
  const countries = new Holidays().getCountries();
  if (!(country in countries)) return false;
  if (region === undefined) return true;
  const regions = new Holidays().getStates(country);
  return region in regions;
}
