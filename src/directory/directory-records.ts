import { z } from 'zod';
import { CONTACT_ROLES, storedUserSchema, type Account, type ContactRole, type StoredUser, type User } from './directory-schema.js';

/** Reading the directory's Redis values (layout in lua/includes/directory.lua) into domain values. */

export type Contacts = Account['contacts'];

/** An account's stored JSON; a deleted account keeps its revision counter (`seq`) alone. */
const storedAccountSchema = z.object({
  seq: z.number(),
  name: z.string().optional(),
  sla: z.string().optional(),
  rev: z.number().optional(),
  admin_contact: z.string().optional(),
  billing_contact: z.string().optional(),
});

/** Contacts from the role holders in CONTACT_ROLES order ('' or null: nobody). */
export function contactsOf(holders: readonly (string | null | undefined)[]): Contacts {
  const contacts: Contacts = {};
  CONTACT_ROLES.forEach((role, i) => {
    const holder = holders[i];
    if (holder !== undefined && holder !== null && holder !== '') contacts[role] = holder;
  });
  return contacts;
}

export const rolesOf = (contacts: Contacts, userId: string): ContactRole[] =>
  CONTACT_ROLES.filter((role) => contacts[role] === userId);

/** An account from its stored JSON; undefined when it does not exist (or was deleted). */
export function parseAccount(accountId: string, stored: string | null): Account | undefined {
  if (stored === null) return undefined;
  const { name, sla, rev, ...holders } = storedAccountSchema.parse(JSON.parse(stored));
  if (name === undefined || sla === undefined) return undefined;
  return { id: accountId, name, sla, rev: rev ?? 0, contacts: contactsOf(CONTACT_ROLES.map((role) => holders[role])) };
}

/** The JSON part of a user's stored value "<rev>:<JSON>". */
export const storedUserOf = (stored: string): StoredUser => storedUserSchema.parse(JSON.parse(stored.slice(stored.indexOf(':') + 1)));

/** A user from their stored value "<rev>:<JSON>"; undefined when there is none. */
export function parseUser(accountId: string, userId: string, contacts: Contacts, stored: string | null): User | undefined {
  if (stored === null || stored === '') return undefined;
  return { ...storedUserOf(stored), id: userId, accountId, roles: rolesOf(contacts, userId), rev: Number(stored.slice(0, stored.indexOf(':'))) };
}
