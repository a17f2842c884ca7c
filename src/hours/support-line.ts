import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Policy } from '../policy/policy-schema.js';
import { tierHoursSchema, type SupportHours } from './support-hours.js';

/** What the control panel shows a customer about their phone line. */
export const supportLineSchema = z.object({
  eligible: z.boolean().meta({ description: "Whether the account's plan includes phone support." }),
  openNow: z.boolean(),
  phoneNumber: z.string().meta({ description: 'The E.164 number to dial.' }),
  hours: tierHoursSchema,
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
    const eligible = policy.tiers[sla]?.phoneSupport === true;
    const next = eligible ? hours.nextChange(sla, now) : null;
    return {
      eligible,
      openNow: eligible && hours.isOpen(sla, now),
      phoneNumber,
      hours: hours.describe(sla),
      nextChange: next === null ? null : new Date(next).toISOString(),
    };
  };
}
