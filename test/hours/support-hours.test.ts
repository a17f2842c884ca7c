import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSupportHours } from '../../src/hours/support-hours.js';
import { createSupportLine } from '../../src/hours/support-line.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';

const hours = createSupportHours(loadPolicy(undefined));
const at = (iso: string) => Date.parse(iso);
const openAt = (tier: string, iso: string) => hours.isOpen(tier, at(iso));
const nextChange = (tier: string, iso: string) => {
  const next = hours.nextChange(tier, at(iso));
  return next === null ? null : new Date(next).toISOString();
};

describe('standard hours (Mon–Fri 09:00–17:30, Europe/London, England bank holidays)', () => {
  it('when it is a winter weekday (GMT), then the line opens at 09:00:00 and closes at 17:30:00 sharp', () => {
    expect(openAt('standard', '2027-03-25T08:59:59Z')).toBe(false);
    expect(openAt('standard', '2027-03-25T09:00:00Z')).toBe(true);
    expect(openAt('standard', '2027-03-25T17:29:59Z')).toBe(true);
    expect(openAt('standard', '2027-03-25T17:30:00Z')).toBe(false);
  });

  it('when it is Good Friday or Easter Monday 2027, then the line is closed all day', () => {
    for (const iso of ['2027-03-26T10:00:00Z', '2027-03-29T10:00:00Z']) {
      expect(openAt('standard', iso)).toBe(false);
      expect(openAt('managed_platform', iso)).toBe(false);
    }
  });

  it('when it is a weekend, then the line is closed', () => {
    expect(openAt('standard', '2027-03-27T12:00:00Z')).toBe(false);
    expect(openAt('managed_platform', '2027-03-28T12:00:00Z')).toBe(false);
  });

  it('when the clocks have gone forward (BST), then 09:00 local is 08:00 UTC', () => {
    expect(openAt('standard', '2027-03-30T07:59:59Z')).toBe(false);
    expect(openAt('standard', '2027-03-30T08:00:00Z')).toBe(true);
    expect(openAt('standard', '2027-03-30T16:29:59Z')).toBe(true);
    expect(openAt('standard', '2027-03-30T16:30:00Z')).toBe(false);
  });

  it('when closed before Easter, then the next opening skips the holidays, the weekend and the clock change', () => {
    expect(nextChange('standard', '2027-03-25T18:00:00Z')).toBe('2027-03-30T08:00:00.000Z');
  });

  it('when open, then the next change is the closing time today', () => {
    expect(nextChange('standard', '2027-03-30T12:00:00Z')).toBe('2027-03-30T16:30:00.000Z');
  });

  it('when the clocks go back in autumn, then Friday closes at 16:30 UTC and Monday opens at 09:00 UTC', () => {
    expect(nextChange('standard', '2027-10-29T12:00:00Z')).toBe('2027-10-29T16:30:00.000Z');
    expect(nextChange('standard', '2027-10-29T16:30:00Z')).toBe('2027-11-01T09:00:00.000Z');
  });

  it('when Christmas 2027 falls on a weekend, then the substitute days (27 and 28 December) are closed', () => {
    expect(openAt('standard', '2027-12-27T10:00:00Z')).toBe(false);
    expect(openAt('standard', '2027-12-28T10:00:00Z')).toBe(false);
    expect(openAt('standard', '2027-12-29T10:00:00Z')).toBe(true);
  });
});

describe('other tiers and policies', () => {
  it('when the tier is managed_platform, then it is open 08:00–20:00', () => {
    expect(openAt('managed_platform', '2027-03-25T07:59:59Z')).toBe(false);
    expect(openAt('managed_platform', '2027-03-25T08:00:00Z')).toBe(true);
    expect(openAt('managed_platform', '2027-03-25T19:59:59Z')).toBe(true);
    expect(openAt('managed_platform', '2027-03-25T20:00:00Z')).toBe(false);
  });

  it('when the tier has no phone support, then it is never open and never changes', () => {
    expect(openAt('none', '2027-03-25T12:00:00Z')).toBe(false);
    expect(nextChange('none', '2027-03-25T12:00:00Z')).toBeNull();
  });

  it('when the line is open around the clock, then it stays open through the clock change and never changes', () => {
    const allDay = ['00:00-24:00'];
    const policy = parsePolicy({
      tiers: {
        always: {
          phoneSupport: true,
          hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
          closedOnPublicHolidays: false,
        },
      },
    });
    const always = createSupportHours(policy);
    expect(always.isOpen('always', at('2027-03-28T01:30:00Z'))).toBe(true);
    expect(always.nextChange('always', at('2027-03-27T12:00:00Z'))).toBeNull();
  });

  it('when a closing time falls in the hour the clocks skip, then the line closes at the later end, not the next span\'s', () => {
    // Europe/London skips 01:00-02:00 on 2027-03-28: 01:45 is read as 02:45 BST (01:45Z), past 02:00-02:10 BST.
    const policy = parsePolicy({
      tiers: { night: { phoneSupport: true, hours: { sun: ['00:30-01:45', '02:00-02:10'] }, closedOnPublicHolidays: false } },
    });
    const night = createSupportHours(policy);
    const next = night.nextChange('night', at('2027-03-28T00:40:00Z'));
    expect(next === null ? null : new Date(next).toISOString()).toBe('2027-03-28T01:45:00.000Z');
    expect(night.isOpen('night', at('2027-03-28T01:44:59Z'))).toBe(true);
  });

  it('when the policy lists an extra closure date, then that day is closed', () => {
    const policy = parsePolicy({ ...DEFAULT_POLICY, holidays: { country: 'GB', region: 'ENG', extraClosures: ['2027-12-24'] } });
    const withClosure = createSupportHours(policy);
    expect(withClosure.isOpen('standard', at('2027-12-24T10:00:00Z'))).toBe(false);
    expect(withClosure.isOpen('standard', at('2027-12-23T10:00:00Z'))).toBe(true);
  });

  it('when hours are described, then they are the policy hours with the holiday region', () => {
    const policy = loadPolicy(undefined);
    const supportLine = createSupportLine({ policy, hours, clock: { now: () => 0 }, phoneNumber: '+442071234567' });
    expect(supportLine('standard').hours).toEqual({
      timezone: 'Europe/London',
      weekly: { mon: ['09:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'], thu: ['09:00-17:30'], fri: ['09:00-17:30'] },
      closedOnPublicHolidays: 'GB-ENG',
    });
  });
});

describe('nextChange agrees with isOpen (property)', () => {
  it('for any instant in 2027-2028, the state holds until nextChange and flips exactly there', () => {
    const start = at('2027-01-01T00:00:00Z');
    const end = at('2028-12-31T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), fc.constantFrom('standard', 'managed_platform'), (instant, tier) => {
        const open = hours.isOpen(tier, instant);
        const next = hours.nextChange(tier, instant);
        expect(next).not.toBeNull();
        if (next === null) return;
        expect(next).toBeGreaterThan(instant);
        expect(hours.isOpen(tier, next - 1)).toBe(open);
        expect(hours.isOpen(tier, next)).toBe(!open);
        // Halfway there, nothing changed either.
        expect(hours.isOpen(tier, Math.floor((instant + next) / 2))).toBe(open);
      }),
      { numRuns: 300 },
    );
  });
});
