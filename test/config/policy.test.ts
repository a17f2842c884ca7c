import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';

const policyFile = (content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
  writeFileSync(path, content);
  return path;
};

describe('the policy file', () => {
  it('when no file is given, then the shipped default has the three tiers of the SPEC', () => {
    const policy = loadPolicy(undefined);
    expect(policy.timezone).toBe('Europe/London');
    expect(policy.holidays).toEqual({ country: 'GB', region: 'ENG', extraClosures: [] });
    expect(Object.keys(policy.tiers)).toEqual(['none', 'standard', 'managed_platform']);
    expect(policy.tiers.none?.phoneSupport).toBe(false);
    expect(policy.tiers.managed_platform?.priority).toBeGreaterThan(policy.tiers.standard?.priority ?? Infinity);
    expect(policy.pin).toEqual({ digits: 8, ttlSeconds: 600, attemptsPerCall: 3, issuesPerUserPerHour: 5, livePerAccount: 50 });
  });

  it('when a file gives only tiers, then everything else takes its default', () => {
    const policy = loadPolicy(policyFile(JSON.stringify({ tiers: { gold: { phoneSupport: true, hours: { sat: ['10:00-12:00'] } } } })));
    expect(policy.pin.digits).toBe(8);
    expect(policy.tiers.gold?.hours.sat).toEqual([{ open: 600, close: 720 }]);
  });

  it.each([
    [{ tiers: { gold: { phoneSupport: true, hours: { mon: ['17:30-09:00'] } } } }, 'tiers.gold.hours.mon[0]: the opening time must be before'],
    [{ tiers: { gold: { phoneSupport: true, hours: { mon: ['9-5'] } } } }, 'tiers.gold.hours.mon[0]: expected "HH:MM-HH:MM"'],
    [{ tiers: { gold: { phoneSupport: true, hours: { mon: ['09:00-12:00', '11:00-13:00'] } } } }, 'tiers.gold.hours.mon: opening spans'],
    [{ tiers: { gold: { phoneSupport: true, hours: { funday: ['09:00-10:00'] } } } }, 'tiers.gold.hours'],
    [{ tiers: { gold: { phoneSupport: 'yes' } } }, 'tiers.gold.phoneSupport:'],
    [{ tiers: {} }, 'tiers: at least one tier'],
    [{ timezone: 'Mars/Olympus', tiers: { a: { phoneSupport: false } } }, 'timezone: expected an IANA time zone'],
    [{ holidays: { country: 'GB', region: 'XXX' }, tiers: { a: { phoneSupport: false } } }, 'holidays: unknown holiday country or region'],
    [{ pin: { digits: 4 }, tiers: { a: { phoneSupport: false } } }, 'pin.digits:'],
  ])('when the policy is %j, then the error names the field', (input, expected) => {
    expect(() => parsePolicy(input)).toThrow(expected);
  });

  it('when the file is not JSON, then the error says so and names the file', () => {
    const path = policyFile('{ tiers: ');
    expect(() => loadPolicy(path)).toThrow(`Invalid policy (${path})`);
    expect(() => loadPolicy(path)).toThrow('is not valid JSON');
  });

  it('when the file does not exist, then the error says it cannot be read', () => {
    expect(() => loadPolicy('/nonexistent/policy.json')).toThrow('cannot be read: ENOENT');
  });
});
