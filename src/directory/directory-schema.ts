import { z } from 'zod';

/** The directory the control panel mirrors into callgate: accounts, their users, contact roles. */

export const PERMISSIONS = [
  'manage_users',
  'manage_billing',
  'manage_services',
  'manage_support',
  'purchase_services',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const CONTACT_ROLES = ['admin_contact', 'billing_contact'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** What each contact role's holder must be allowed to do. */
export const ROLE_REQUIREMENTS: Record<ContactRole, readonly Permission[]> = {
  admin_contact: PERMISSIONS,
  billing_contact: ['manage_billing'],
};

export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1 to 64 letters, digits, "_" or "-"')
  .meta({ description: 'An id of the control panel: 1 to 64 letters, digits, "_" or "-".' });

const nameSchema = z.string().trim().min(1).max(200);

const uniqueList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .array(z.enum(values))
    .max(values.length)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a value');

/** Body of `PUT /v1/accounts/{accountId}`; `sla` must name a tier of the policy. */
export const accountBodySchema = (tierNames: readonly [string, ...string[]]) =>
  z.strictObject({
    name: nameSchema,
    sla: z.enum(tierNames).meta({ description: 'The name of an SLA tier of the policy.' }),
  });
export type AccountBody = z.output<ReturnType<typeof accountBodySchema>>;

/** Body of `PUT /v1/accounts/{accountId}/users/{userId}`. Omitting `roles` keeps the roles the user holds. */
export const userBodySchema = z.strictObject({
  name: nameSchema,
  permissions: uniqueList(PERMISSIONS),
  roles: uniqueList(CONTACT_ROLES).optional(),
});
export type UserBody = z.output<typeof userBodySchema>;

/** How an account is stored (one JSON value under the account's key). */
export const storedAccountSchema = z.object({
  name: z.string(),
  sla: z.string(),
  contacts: z.object({ admin_contact: z.string().optional(), billing_contact: z.string().optional() }),
});
export type StoredAccount = z.output<typeof storedAccountSchema>;

export const storedUserSchema = z.object({ name: z.string(), permissions: z.array(z.enum(PERMISSIONS)) });
export type StoredUser = z.output<typeof storedUserSchema>;

export interface Account extends StoredAccount {
  id: string;
}

export interface User extends StoredUser {
  id: string;
  accountId: string;
  roles: ContactRole[];
}

export const rolesOf = (account: StoredAccount, userId: string): ContactRole[] =>
  CONTACT_ROLES.filter((role) => account.contacts[role] === userId);

/** An account as the API shows it. */
export const accountViewSchema = z.object({
  id: idSchema,
  name: z.string(),
  sla: z.string(),
  contacts: z.object({ admin_contact: idSchema.nullable(), billing_contact: idSchema.nullable() }),
});
export type AccountView = z.infer<typeof accountViewSchema>;

export const toAccountView = (account: Account): AccountView => ({
  id: account.id,
  name: account.name,
  sla: account.sla,
  contacts: {
    admin_contact: account.contacts.admin_contact ?? null,
    billing_contact: account.contacts.billing_contact ?? null,
  },
});

/** A user as the API shows it. */
export const userViewSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  roles: z.array(z.enum(CONTACT_ROLES)),
});
export type UserView = z.infer<typeof userViewSchema>;

export const toUserView = (user: User): UserView => ({
  id: user.id,
  accountId: user.accountId,
  name: user.name,
  permissions: user.permissions,
  roles: user.roles,
});
