import { z } from 'zod';
import { idSchema } from '../directory/directory-schema.js';

/** The on-call escalation list: sysadmins in the order they are paged. */
export const sysadminSchema = z.strictObject({
  id: idSchema,
  name: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +447700900123'),
});
export type Sysadmin = z.output<typeof sysadminSchema>;

export const oncallListSchema = z
  .array(sysadminSchema)
  .max(50)
  .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'sysadmin ids must be unique')
  .refine((list) => new Set(list.map((s) => s.phone)).size === list.length, 'phone numbers must be unique')
  .meta({ description: 'The ordered escalation list: the first sysadmin is paged first.' });
