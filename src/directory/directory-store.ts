import { notFound } from '../errors.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asTagged, asUnknown, defineScript, type Decoder } from '../redis/scripts.js';
import { contactCannotBeDeleted, isContactRole, roleCannotBeRemoved, roleRequiresPermissions, rolesAllowedFor } from './contact-rules.js';
import { ACCOUNT_FIELDS, contactsOf, parseAccount, parseUser, type MemberFacts } from './directory-records.js';
import { type Account, type AccountBody, type User, type UserBody } from './directory-schema.js';
import { ifMatchArg, preconditionFailed, type IfMatch } from './revisions.js';

/**
 * A change's last moment to land (epoch ms, Redis' clock): the line's copy stops waiting for a
 * change after a while (line-copy.ts), so a change sent later must do nothing.
 */
export interface WriteBy {
  notAfter?: number;
}

/** Accounts and users in Redis; every change is one atomic script under the account's hash tag. */
export interface DirectoryStore {
  getAccount: (accountId: string) => Promise<Account | undefined>;
  /** The account and one of its users, in one round trip. */
  getMember: (accountId: string, userId: string) => Promise<{ account: Account | undefined; user: User | undefined }>;
  /**
   * The same, the name of the account's admin contact (null when there is none) and the
   * account's revision counter (`seq`, which every change moves on), in one round trip.
   */
  getCaller: (accountId: string, userId: string) => Promise<MemberFacts>;
  /** Up to `limit` users after the id `after`, in id order; throws 404 when the account does not exist. */
  listUsers: (accountId: string, page: { after?: string | undefined; limit: number }) => Promise<User[]>;
  /** `listUsers` also returns the account's user ids (to revoke their PINs). */
  putAccount: (
    accountId: string,
    body: AccountBody,
    options?: WriteBy & { ifMatch?: IfMatch; listUsers?: boolean },
  ) => Promise<{ created: boolean; account: Account; userIds: string[] }>;
  /** Deletes the account and its users; returns the ids of the users it had. */
  deleteAccount: (accountId: string, options?: WriteBy) => Promise<string[]>;
  putUser: (accountId: string, userId: string, body: UserBody, options?: WriteBy & { ifMatch?: IfMatch }) => Promise<{ created: boolean; user: User }>;
  deleteUser: (accountId: string, userId: string, options?: WriteBy) => Promise<void>;
}

const strings = (values: unknown[]): string[] => values.map(String);

// A change's reply: its outcome first. A script Redis ran too late did nothing (asTagged throws).
const outcomeFirst: Decoder<[string, ...unknown[]]> = (reply) => {
  const tagged = asTagged(reply);
  if (typeof tagged[0] !== 'string') throw new Error('unexpected reply from a directory script');
  return tagged as [string, ...unknown[]];
};

export function createDirectoryStore(redis: RedisClient): DirectoryStore {
  const script = <T>(file: string, decode: Decoder<T>) => defineScript(redis, new URL(`./lua/${file}`, import.meta.url), decode);
  const putDirectoryAccount = script('put-account-3.lua', outcomeFirst);
  const deleteDirectoryAccount = script('delete-account-3.lua', outcomeFirst);
  const putDirectoryUser = script('put-user-3.lua', outcomeFirst);
  const deleteDirectoryUser = script('delete-user-3.lua', outcomeFirst);
  const listDirectoryUsers = script('list-users-3.lua', asUnknown);
  const readDirectoryCaller = script('read-caller-2.lua', asUnknown);
  const accountKeys = (accountId: string) => [keys.account(accountId), keys.users(accountId), keys.userIndex(accountId)];

  function refuse(accountId: string, outcome: string, userId?: string): never {
    if (outcome === 'account_not_found') throw notFound('account_not_found', `No account ${accountId}.`);
    if (outcome === 'user_not_found') throw notFound('user_not_found', `No user ${userId ?? ''} in account ${accountId}.`);
    if (outcome === 'precondition_failed') throw preconditionFailed();
    throw new Error(`unexpected outcome of a directory script: ${outcome}`);
  }

  async function getAccount(accountId: string): Promise<Account | undefined> {
    const fields = await withRedis(() => redis.hmget(keys.account(accountId), ...ACCOUNT_FIELDS));
    return parseAccount(accountId, fields);
  }

  return {
    getAccount,

    async getMember(accountId, userId) {
      const [account, stored] = await Promise.all([
        getAccount(accountId),
        withRedis(() => redis.hget(keys.users(accountId), userId)),
      ]);
      if (account === undefined) return { account: undefined, user: undefined };
      return { account, user: parseUser(accountId, userId, account.contacts, stored) };
    },

    async getCaller(accountId, userId) {
      const fields = [...ACCOUNT_FIELDS, 'seq'];
      const reply = await readDirectoryCaller([keys.account(accountId), keys.users(accountId)], [userId, ...fields]);
      const [readAt, ...values] = (Array.isArray(reply) ? (reply as unknown[]) : []).map((value) => (typeof value === 'string' ? value : null));
      const read = { seq: Number(values[ACCOUNT_FIELDS.length] ?? 0), readAt: Number(readAt) };
      const account = parseAccount(accountId, values.slice(0, ACCOUNT_FIELDS.length));
      if (account === undefined) return { ...read, account: undefined, user: undefined, adminContactName: null };
      const user = parseUser(accountId, userId, account.contacts, values[fields.length] ?? null);
      const adminId = account.contacts.admin_contact;
      const admin = adminId === undefined || adminId === userId ? user : parseUser(accountId, adminId, account.contacts, values[fields.length + 1] ?? null);
      return { ...read, account, user, adminContactName: adminId === undefined ? null : (admin?.name ?? null) };
    },

    async listUsers(accountId, { after, limit }) {
      const reply = await listDirectoryUsers(accountKeys(accountId), [after ?? '', limit]);
      const [outcome = '', admin, billing, ...pairs] = strings(Array.isArray(reply) ? reply : []);
      if (outcome !== 'ok') refuse(accountId, outcome);
      const contacts = contactsOf([admin, billing]);
      const users: User[] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const user = parseUser(accountId, pairs[i] ?? '', contacts, pairs[i + 1] ?? null);
        if (user !== undefined) users.push(user);
      }
      return users;
    },

    async putAccount(accountId, body, options = {}) {
      const [outcome, created, rev, admin, billing, ...userIds] = await putDirectoryAccount(accountKeys(accountId), [
        scriptDeadline(options.notAfter),
        body.name,
        body.sla,
        ifMatchArg(options.ifMatch),
        options.listUsers === true ? '1' : '0',
      ]);
      if (outcome !== 'ok') refuse(accountId, outcome);
      const contacts = contactsOf(strings([admin, billing]));
      return { created: created === 1, account: { id: accountId, ...body, contacts, rev: Number(rev) }, userIds: strings(userIds) };
    },

    async deleteAccount(accountId, options = {}) {
      const [outcome, ...userIds] = await deleteDirectoryAccount(accountKeys(accountId), [scriptDeadline(options.notAfter)]);
      if (outcome !== 'ok') refuse(accountId, outcome);
      return strings(userIds);
    },

    async putUser(accountId, userId, body, options = {}) {
      const data = JSON.stringify({ name: body.name, permissions: body.permissions });
      const [allowAdmin, allowBilling] = rolesAllowedFor(body.permissions);
      const [outcome, ...rest] = await putDirectoryUser(accountKeys(accountId), [
        scriptDeadline(options.notAfter),
        userId,
        data,
        body.roles === undefined ? '0' : '1',
        (body.roles ?? []).join(','),
        allowAdmin === true ? '1' : '0',
        allowBilling === true ? '1' : '0',
        ifMatchArg(options.ifMatch),
      ]);
      if (outcome === 'role_removed') throw roleCannotBeRemoved(rest.filter(isContactRole));
      if (outcome === 'requires') throw roleRequiresPermissions(rest.filter(isContactRole), body.permissions);
      if (outcome !== 'ok') refuse(accountId, outcome);
      const [created, rev, ...roles] = rest;
      const user: User = {
        id: userId,
        accountId,
        name: body.name,
        permissions: body.permissions,
        roles: roles.filter(isContactRole),
        rev: Number(rev),
      };
      return { created: created === 1, user };
    },

    async deleteUser(accountId, userId, options = {}) {
      const [outcome, ...held] = await deleteDirectoryUser(accountKeys(accountId), [scriptDeadline(options.notAfter), userId]);
      if (outcome === 'contact') throw contactCannotBeDeleted(held.filter(isContactRole));
      if (outcome !== 'ok') refuse(accountId, outcome, userId);
    },
  };
}
