import { z } from 'zod';
import { CONTACT_ROLES, idSchema, PERMISSIONS, type Account, type User } from './directory-schema.js';

/** The directory as the API shows it: the schemas double as the OpenAPI response types. */

export const accountViewSchema = z.object({
  id: idSchema,
  name: z.string(),
  sla: z.string().meta({ description: "The account's plan: the name of an SLA tier of the policy." }),
  contacts: z.object({ admin_contact: idSchema.nullable(), billing_contact: idSchema.nullable() }),
});

export const toAccountView = (account: Account): z.infer<typeof accountViewSchema> => ({
  id: account.id,
  name: account.name,
  sla: account.sla,
  contacts: {
    admin_contact: account.contacts.admin_contact ?? null,
    billing_contact: account.contacts.billing_contact ?? null,
  },
});

export const userViewSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  roles: z.array(z.enum(CONTACT_ROLES)),
});

export const toUserView = ({ id, accountId, name, permissions, roles }: User): z.infer<typeof userViewSchema> =>
  ({ id, accountId, name, permissions, roles });

/** A user read back: whether a PIN is live, never the PIN. */
export const userDetailSchema = userViewSchema.extend({
  pinActive: z.boolean().meta({ description: 'Whether the user has a live PIN (the PIN itself is never shown).' }),
});

export const userPageSchema = z.object({
  users: z.array(userDetailSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
});
export type UserPage = z.infer<typeof userPageSchema>;
