import { parsePhoneNumberFromString, type CountryCode, type PhoneNumberType } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { E164, isWithheld } from '../caller-id.js';

// Which missed callers the line may dial back. `From` can be spoofed: a customer with a valid PIN could
// make a sysadmin pay for a premium-rate or far international call. Numbering plans: libphonenumber's.
export type CallbackRefusal = 'withheld' | 'not_a_number' | 'country_not_allowed' | 'special_rate';

export type CallbackNumber =
  /** `number` is what is dialled; `groups` how it is read out ("+44", "20", "7123", "4567"). */
  | { kind: 'callable'; number: string; groups: string[] }
  | { kind: 'refused'; reason: CallbackRefusal };

// Ranges where the caller, not the called, is charged extra, or that do not reach a person.
const SPECIAL_RATE: ReadonlySet<PhoneNumberType> = new Set(['PREMIUM_RATE', 'SHARED_COST', 'PERSONAL_NUMBER', 'PAGER', 'VOICEMAIL']);

// A number no range knows (Ofcom's drama numbers, newer ranges) is judged by its calling code's main country.
function countryOf(countryCallingCode: string, country: CountryCode | undefined): string | undefined {
  return country ?? metadata.country_calling_codes[countryCallingCode]?.[0];
}

/** The countries calls-backs may reach: the policy's list, else the support number's country. */
export function callbackCountries(allowed: readonly string[] | undefined, supportNumber: string): string[] {
  if (allowed !== undefined) return [...allowed];
  const support = parsePhoneNumberFromString(supportNumber);
  const country = support === undefined ? undefined : countryOf(support.countryCallingCode, support.country);
  return country === undefined ? [] : [country];
}

/** Judges a missed caller's `From` against the allowed countries (ISO 3166 codes, e.g. "GB"). */
export function createCallbackNumbers(allowedCountries: readonly string[]) {
  const allowed = new Set(allowedCountries);
  return function callbackNumber(from: string): CallbackNumber {
    if (isWithheld(from)) return { kind: 'refused', reason: 'withheld' };
    const parsed = E164.test(from) ? parsePhoneNumberFromString(from) : undefined;
    // Not a possible length for its country either: extra digits could be dialled on as overdial into another range.
    if (parsed === undefined || parsed.number !== from || !parsed.isPossible()) return { kind: 'refused', reason: 'not_a_number' };
    const country = countryOf(parsed.countryCallingCode, parsed.country);
    if (country === undefined || !allowed.has(country)) return { kind: 'refused', reason: 'country_not_allowed' };
    const type = parsed.getType();
    if (type !== undefined && SPECIAL_RATE.has(type)) return { kind: 'refused', reason: 'special_rate' };
    // formatInternational groups a known range as its plan does ("+44 20 7123 4567"); an unknown one stays whole.
    return { kind: 'callable', number: parsed.number, groups: parsed.formatInternational().split(/\s+/).filter((group) => group !== '') };
  };
}
