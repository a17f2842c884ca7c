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

/** The longest name we accept, in UTF-16 code units: a long company name fits, a spoken briefing stays short. */
export const MAX_NAME_LENGTH = 100;

// Control characters (C0, DEL, C1, incl. \u000b), lone surrogates, line/paragraph separators and
// bidi overrides: none belongs in a name, and each can break or disguise what is shown or spoken.
const UNSAFE_IN_NAMES = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** A name a person reads or hears: accounts, users, sysadmins on the on-call list. */
export const displayNameSchema = z
  .string()
  .trim()
  .normalize('NFC')
  .min(1)
  .max(MAX_NAME_LENGTH)
  .refine((name) => !UNSAFE_IN_NAMES.test(name), 'must not contain control characters, lone surrogates or bidi overrides')
  .meta({ description: `A display name: 1 to ${String(MAX_NAME_LENGTH)} characters, no control characters.` });

const uniqueList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .array(z.enum(values))
    .max(values.length)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a value');

/** Body of `PUT /v1/accounts/{accountId}`; `sla` must name a tier of the policy. */
export const accountBodySchema = (tierNames: readonly [string, ...string[]]) =>
  z.strictObject({
    name: displayNameSchema,
    sla: z.enum(tierNames).meta({ description: 'The name of an SLA tier of the policy.' }),
  });
export type AccountBody = z.output<ReturnType<typeof accountBodySchema>>;

/** Body of `PUT /v1/accounts/{accountId}/users/{userId}`. Omitting `roles` keeps the roles the user holds. */
export const userBodySchema = z.strictObject({
  name: displayNameSchema,
  permissions: uniqueList(PERMISSIONS),
  roles: uniqueList(CONTACT_ROLES).optional(),
});
export type UserBody = z.output<typeof userBodySchema>;

/** An account as the directory holds it; `rev` changes whenever its name, plan or contacts do. */
export interface Account {
  id: string;
  name: string;
  sla: string;
  contacts: Partial<Record<ContactRole, string>>;
  rev: number;
}

/** The part of a user stored as JSON (the roles live on the account). */
export const storedUserSchema = z.object({ name: z.string(), permissions: z.array(z.enum(PERMISSIONS)) });
export type StoredUser = z.output<typeof storedUserSchema>;

/** A user; `rev` changes whenever their name, permissions or roles do. */
export interface User extends StoredUser {
  id: string;
  accountId: string;
  roles: ContactRole[];
  rev: number;
}
