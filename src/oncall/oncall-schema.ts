import { z } from 'zod';
import { E164 } from '../caller-id.js';
import { displayNameSchema, idSchema } from '../directory/directory-schema.js';

/** The on-call escalation list: sysadmins in the order they are paged. */
export const sysadminSchema = z.strictObject({
  id: idSchema,
  name: displayNameSchema,
  phone: z.string().regex(E164, 'expected an E.164 number such as +447700900123'),
});
export type Sysadmin = z.output<typeof sysadminSchema>;

export const oncallListSchema = z
  .array(sysadminSchema)
  .max(50)
  .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'sysadmin ids must be unique')
  .refine((list) => new Set(list.map((s) => s.phone)).size === list.length, 'phone numbers must be unique')
  .meta({ description: 'The ordered escalation list: the first sysadmin is paged first.' });

/** A sysadmin's personal on-call PIN, typed when they phone the support line themselves. */
export const oncallPinBodySchema = z
  .strictObject({
    pin: z.string().regex(/^\d{6,12}$/, 'expected 6 to 12 digits'),
  })
  .meta({ description: 'Stored only as a keyed hash; never returned.' });

/** The list as operators read it back: whether each sysadmin has an on-call PIN, never the PIN. */
export const oncallViewSchema = z
  .array(sysadminSchema.extend({ hasPin: z.boolean().meta({ description: 'Whether an on-call PIN is set for phoning the line' }) }))
  .meta({ description: 'The ordered escalation list, with whether each sysadmin has an on-call PIN.' });

export type OncallView = z.output<typeof oncallViewSchema>;
