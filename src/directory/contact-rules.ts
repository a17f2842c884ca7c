import { AppError, conflict } from '../errors.js';
import { CONTACT_ROLES, ROLE_REQUIREMENTS, type ContactRole, type Permission } from './directory-schema.js';

// The contact rules are decided inside the atomic write (lua/put-user-9.lua, lua/delete-user-9.lua),
// where the roles held are known; this file says what each role needs and words the refusals.

/** Which roles a user with these permissions may hold, in CONTACT_ROLES order. */
export const rolesAllowedFor = (permissions: readonly Permission[]): boolean[] =>
  CONTACT_ROLES.map((role) => ROLE_REQUIREMENTS[role].every((needed) => permissions.includes(needed)));

export const isContactRole = (value: unknown): value is ContactRole =>
  typeof value === 'string' && (CONTACT_ROLES as readonly string[]).includes(value);

export const roleCannotBeRemoved = (dropped: ContactRole[]): AppError =>
  conflict(
    'contact_role_cannot_be_removed',
    `The user holds ${dropped.join(' and ')}; a contact role cannot be removed, only moved by assigning it to another user.`,
    dropped.map((role) => ({ role })),
  );

export function roleRequiresPermissions(roles: ContactRole[], permissions: readonly Permission[]): AppError {
  const shortfalls = roles.map((role) => ({
    role,
    missing: ROLE_REQUIREMENTS[role].filter((needed) => !permissions.includes(needed)),
  }));
  return new AppError(
    422,
    'contact_requires_permissions',
    shortfalls.map(({ role, missing }) => `${role} requires ${missing.join(', ')}`).join('; '),
    { details: shortfalls },
  );
}

export const contactCannotBeDeleted = (held: ContactRole[]): AppError =>
  conflict(
    'contact_cannot_be_deleted',
    `The user is the account's ${held.join(' and ')}; assign the role to another user first.`,
    held.map((role) => ({ role })),
  );
