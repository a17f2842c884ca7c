import { AppError, conflict } from '../errors.js';
import {
  ROLE_REQUIREMENTS,
  rolesOf,
  type ContactRole,
  type StoredAccount,
  type UserBody,
} from './directory-schema.js';

/**
 * The contact rules, as pure decisions on a read of the account:
 * - the admin contact holds all five permissions, the billing contact `manage_billing`;
 * - a role moves by being assigned to another user, and is never just removed;
 * - a user holding a role cannot be deleted.
 */

/** The account's contacts after `userId` is created or updated with `body`; throws when a rule is broken. */
export function contactsAfterUpsert(account: StoredAccount, userId: string, body: UserBody): StoredAccount['contacts'] {
  const held = rolesOf(account, userId);
  const wanted: ContactRole[] = body.roles ?? held;

  const dropped = held.filter((role) => !wanted.includes(role));
  if (dropped.length > 0) {
    throw conflict(
      'contact_role_cannot_be_removed',
      `The user holds ${dropped.join(' and ')}; a contact role cannot be removed, only moved by assigning it to another user.`,
      dropped.map((role) => ({ role })),
    );
  }

  const shortfalls = wanted
    .map((role) => ({ role, missing: ROLE_REQUIREMENTS[role].filter((p) => !body.permissions.includes(p)) }))
    .filter((shortfall) => shortfall.missing.length > 0);
  if (shortfalls.length > 0) {
    throw new AppError(
      422,
      'contact_requires_permissions',
      shortfalls.map(({ role, missing }) => `${role} requires ${missing.join(', ')}`).join('; '),
      { details: shortfalls },
    );
  }

  const contacts = { ...account.contacts };
  for (const role of wanted) contacts[role] = userId;
  return contacts;
}

/** Throws 409 when `userId` holds a contact role. */
export function assertDeletable(account: StoredAccount, userId: string): void {
  const held = rolesOf(account, userId);
  if (held.length > 0) {
    throw conflict(
      'contact_cannot_be_deleted',
      `The user is the account's ${held.join(' and ')}; assign the role to another user first.`,
      held.map((role) => ({ role })),
    );
  }
}
