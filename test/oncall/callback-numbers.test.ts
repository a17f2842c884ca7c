import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { WITHHELD_FROM_VALUES } from '../../sim/withheld-numbers.js';
import { callbackCountries, createCallbackNumbers } from '../../src/oncall/callback-numbers.js';
import { missedMenu } from '../../src/oncall/missed-menu.js';
import { loadPromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { speakPhoneNumber } from '../../src/ivr/speak-phone-number.js';

const inBritain = createCallbackNumbers(callbackCountries(undefined, '+442071234567'));

describe('which missed callers the line may dial back', () => {
  it('when the support number is British and the policy names no country, then only British numbers are called back', () => {
    expect(callbackCountries(undefined, '+442071234567')).toEqual(['GB']);
    expect(inBritain('+442071234567')).toEqual({ kind: 'callable', number: '+442071234567', groups: ['+44', '20', '7123', '4567'] });
    expect(inBritain('+35315551234')).toEqual({ kind: 'refused', reason: 'country_not_allowed' });
    // +44 but Jersey: a country of its own, as the numbering plan says.
    expect(inBritain('+441534123456')).toEqual({ kind: 'refused', reason: 'country_not_allowed' });
  });

  it('when the caller withheld their number, then it is never dialled, whatever placeholder Twilio gave', () => {
    for (const from of [...WITHHELD_FROM_VALUES, '+7748283', '+86282452253', 'restricted', '']) {
      expect(inBritain(from)).toEqual({ kind: 'refused', reason: 'withheld' });
    }
  });

  it('when the From is premium-rate or another special rate, then it is refused even in an allowed country', () => {
    // 09 premium, 0871 premium per the plan, 070 personal numbers, 076 pagers.
    for (const from of ['+449098790000', '+448712345678', '+447031234567', '+447640123456']) {
      expect(inBritain(from)).toEqual({ kind: 'refused', reason: 'special_rate' });
    }
    const inUsAndFrance = createCallbackNumbers(['US', 'FR']);
    expect(inUsAndFrance('+19005551234')).toEqual({ kind: 'refused', reason: 'special_rate' });
    expect(inUsAndFrance('+33891234567')).toEqual({ kind: 'refused', reason: 'special_rate' });
    expect(inUsAndFrance('+33811234567')).toEqual({ kind: 'refused', reason: 'special_rate' });
  });

  it('when the US is allowed, then a +1 number in Jamaica is not: countries, not dialling codes', () => {
    const inUs = createCallbackNumbers(['US']);
    expect(inUs('+12125551234')).toMatchObject({ kind: 'callable', number: '+12125551234' });
    expect(inUs('+18762345678')).toEqual({ kind: 'refused', reason: 'country_not_allowed' });
  });

  it('when the From is not E.164, then it is not dialled', () => {
    for (const from of ['447700900666', '+4407700900666', '+0123456789', '+4420712345678901234']) {
      expect(inBritain(from).kind).toBe('refused');
    }
  });

  it('when a number has a length its country never uses, then it is not dialled (extra digits could reach a premium range as overdial)', () => {
    for (const from of ['+4491234567890', '+44900000']) expect(inBritain(from)).toEqual({ kind: 'refused', reason: 'not_a_number' });
  });

  it('when a number is in no range the plan knows (a drama number), then it is judged by its code: British, callable', () => {
    expect(inBritain('+447700900666')).toEqual({ kind: 'callable', number: '+447700900666', groups: ['+44', '7700', '900666'] });
  });

  it('whatever the From, nothing outside the allowed countries is ever dialled', () => {
    const allowed = ['GB', 'IE'];
    const rule = createCallbackNumbers(allowed);
    const from = fc.oneof(
      fc.string(),
      fc.stringMatching(/^\+[0-9]{1,16}$/),
      fc.constantFrom('+44', '+1', '+353', '+266', '+33', '+882', '+870').chain((code) => fc.stringMatching(/^[0-9]{4,12}$/).map((rest) => `${code}${rest}`)),
    );
    fc.assert(
      fc.property(from, (number) => {
        const verdict = rule(number);
        if (verdict.kind === 'refused') return;
        const parsed = parsePhoneNumberFromString(verdict.number);
        expect(verdict.number).toBe(number);
        expect(number).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(WITHHELD_FROM_VALUES).not.toContain(number);
        expect(['44', '353']).toContain(parsed?.countryCallingCode);
        if (parsed?.country !== undefined) expect(allowed).toContain(parsed.country);
        expect(['PREMIUM_RATE', 'SHARED_COST', 'PERSONAL_NUMBER', 'PAGER', 'VOICEMAIL']).not.toContain(parsed?.getType());
      }),
      { numRuns: 500 },
    );
  });

  it('when read to the sysadmin, then the number is spoken digit by digit in its groups', () => {
    const catalogue = loadPromptCatalogue('en-GB');
    expect(speakPhoneNumber(['+44', '20', '7123', '4567'], catalogue)).toBe('plus 4 4, 2 0, 7 1 2 3, 4 5 6 7');
    expect(speakPhoneNumber(['+44', '7700900666'], catalogue)).toBe('plus 4 4, 7 7 0, 0 9 0, 0 6 6 6');
  });
});

describe('the missed-callers menu', () => {
  it('when one account missed many calls, then its oldest three come with everyone else\'s first, and its later ones after, counted', () => {
    const calls = [
      { accountId: 'a', n: 1 },
      { accountId: 'b', n: 2 },
      ...Array.from({ length: 20 }, (_, i) => ({ accountId: 'b', n: 3 + i })),
      { accountId: 'c', n: 23 },
    ];
    const menu = missedMenu(calls);
    // Every open call can be reached (an account's first calls may be ones the line can never close).
    expect(menu.offered.map((call) => call.n)).toEqual([1, 2, 3, 4, 23, ...Array.from({ length: 18 }, (_, i) => 5 + i)]);
    expect(menu.heldBack).toBe(18);
  });
});
