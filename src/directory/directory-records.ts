import { CONTACT_ROLES, storedUserSchema, type Account, type ContactRole, type User } from './directory-schema.js';

/** Reading the directory's Redis values (layout in lua/includes/account.lua) into domain values. */

/** The account hash's fields, in the order `ACCOUNT_FIELDS` reads them. */
export const ACCOUNT_FIELDS = ['name', 'sla', 'rev', ...CONTACT_ROLES] as const;

export type Contacts = Account['contacts'];

/** What a call needs of one account member, as read from the directory at the account's revision `seq`. */
export interface MemberFacts {
  seq: number;
  /** When the directory was read, by Redis' clock (epoch ms): the line's copy judges its marks by it. */
  readAt: number;
  account: Account | undefined;
  user: User | undefined;
  adminContactName: string | null;
}

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

/** An account from `HMGET account ...ACCOUNT_FIELDS`; undefined when it does not exist. */
export function parseAccount(accountId: string, fields: readonly (string | null)[]): Account | undefined {
  const [name, sla, rev, ...holders] = fields;
  if (name === null || name === undefined || sla === null || sla === undefined) return undefined;
  return { id: accountId, name, sla, rev: Number(rev ?? 0), contacts: contactsOf(holders) };
}

/** A user from their stored value "<rev>:<JSON>"; undefined when there is none. */
export function parseUser(accountId: string, userId: string, contacts: Contacts, stored: string | null): User | undefined {
  if (stored === null || stored === '') return undefined;
  const colon = stored.indexOf(':');
  const data = storedUserSchema.parse(JSON.parse(stored.slice(colon + 1)));
  return { ...data, id: userId, accountId, roles: rolesOf(contacts, userId), rev: Number(stored.slice(0, colon)) };
}
