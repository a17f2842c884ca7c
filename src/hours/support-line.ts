import { z } from 'zod';
import type { Clock } from '../clock.js';
import { WEEKDAYS, type Policy, type Tier } from '../policy/policy-schema.js';
import type { SupportHours } from './support-hours.js';

/** What the control panel shows a customer about their phone line. */
export const supportLineSchema = z.object({
  eligible: z.boolean().meta({ description: "Whether the account's plan includes phone support." }),
  openNow: z.boolean(),
  phoneNumber: z.string().meta({ description: 'The E.164 number to dial.' }),
  hours: z.object({
    timezone: z.string(),
    weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(z.string().meta({ example: '09:00-17:30' }))),
    closedOnPublicHolidays: z.string().nullable().meta({ description: 'Holiday region, e.g. GB-ENG, or null.' }),
  }),
  nextChange: z.iso
    .datetime()
    .nullable()
    .meta({ description: 'When openNow next changes; null when it will not (e.g. no phone support).' }),
});
export type SupportLine = z.infer<typeof supportLineSchema>;

export function createSupportLine(deps: { policy: Policy; hours: SupportHours; clock: Clock; phoneNumber: string }) {
  const { policy, hours, clock, phoneNumber } = deps;
  return (sla: string): SupportLine => {
    const now = clock.now();
    const tier = policy.tiers[sla];
    const eligible = tier?.phoneSupport === true;
    const next = eligible ? hours.nextChange(sla, now) : null;
    return {
      eligible,
      openNow: eligible && hours.isOpen(sla, now),
      phoneNumber,
      hours: hoursOf(policy, eligible ? tier : undefined),
      nextChange: next === null ? null : new Date(next).toISOString(),
    };
  };
}

function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A tier's weekly hours as "09:00-17:30" spans; none for a tier without phone support. */
function hoursOf(policy: Policy, tier: Tier | undefined): SupportLine['hours'] {
  const weekly: SupportLine['hours']['weekly'] = {};
  for (const day of WEEKDAYS) {
    const spans = tier?.hours[day] ?? [];
    if (spans.length > 0) weekly[day] = spans.map((span) => `${formatMinutes(span.open)}-${formatMinutes(span.close)}`);
  }
  const { holidays } = policy;
  const closedOn =
    tier?.closedOnPublicHolidays === true && holidays !== undefined
      ? [holidays.country, holidays.region].filter((part) => part !== undefined).join('-')
      : null;
  return { timezone: policy.timezone, weekly, closedOnPublicHolidays: closedOn };
}
