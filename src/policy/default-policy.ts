import type { PolicyInput } from './policy-schema.js';

/** The policy shipped with callgate when `POLICY_FILE` is not set; other sections take the schema's defaults. */
export const DEFAULT_POLICY: PolicyInput = {
  timezone: 'Europe/London',
  // England and Wales bank holidays.
  holidays: { country: 'GB', region: 'ENG', extraClosures: [] },
  tiers: {
    none: { phoneSupport: false, priority: 0 },
    standard: {
      phoneSupport: true,
      priority: 1,
      hours: { mon: ['09:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'], thu: ['09:00-17:30'], fri: ['09:00-17:30'] },
      closedOnPublicHolidays: true,
    },
    managed_platform: {
      phoneSupport: true,
      priority: 2,
      hours: { mon: ['08:00-20:00'], tue: ['08:00-20:00'], wed: ['08:00-20:00'], thu: ['08:00-20:00'], fri: ['08:00-20:00'] },
      closedOnPublicHolidays: true,
    },
  },
};
