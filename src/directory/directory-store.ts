import { notFound } from '../errors.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys, ownerKey, PIN_KEYS } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asTagged, defineScript, type Decoder } from '../redis/scripts.js';
import { contactCannotBeDeleted, isContactRole, roleCannotBeRemoved, roleRequiresPermissions, rolesAllowedFor } from './contact-rules.js';
import { contactsOf, parseAccount, parseUser, storedUserOf } from './directory-records.js';
import { type Account, type AccountBody, type User, type UserBody } from './directory-schema.js';
import { ifMatchArg, preconditionFailed, type IfMatch } from './revisions.js';

/** Whose names to read: an account, or one of its users (and their account). */
export interface NameRef {
  accountId: string;
  userId?: string | undefined;
}

/** Names read together; undefined for one the directory does not hold. */
export interface Names {
  account(accountId: string): string | undefined;
  user(accountId: string, userId: string): string | undefined;
}

const strings = (values: unknown[]): string[] => values.map(String);
const nameOf = (stored: string | null = null) => (stored === null ? undefined : storedUserOf(stored).name);

// A change's reply: its outcome first. A script Redis ran too late did nothing (asTagged throws).
const outcomeFirst: Decoder<[string, ...unknown[]]> = (reply) => asTagged(reply) as [string, ...unknown[]];

/** A directory read or change refused (by a script, or a PIN issue reading the directory): the API's answer. */
export function refuse(accountId: string, outcome: string, userId = ''): never {
  if (outcome === 'account_not_found') throw notFound('account_not_found', `No account ${accountId}.`);
  if (outcome === 'user_not_found') throw notFound('user_not_found', `No user ${userId} in account ${accountId}.`);
  if (outcome === 'precondition_failed') throw preconditionFailed();
  throw new Error(`unexpected outcome of a directory script: ${outcome}`);
}

/** Accounts and users in Redis (lua/includes/directory.lua); every change is one atomic script. */
export function createDirectoryStore(redis: RedisClient) {
  const script = <T>(file: string, decode: Decoder<T>) => defineScript(redis, new URL(`./lua/${file}`, import.meta.url), decode);
  const putDirectoryAccount = script('put-account-9.lua', outcomeFirst);
  const deleteDirectoryAccount = script('delete-account-9.lua', outcomeFirst);
  const putDirectoryUser = script('put-user-9.lua', outcomeFirst);
  const deleteDirectoryUser = script('delete-user-9.lua', outcomeFirst);
  const listDirectoryUsers = script('list-users-3.lua', asTagged);
  const directoryKeys = [keys.directoryAccounts, keys.directoryUsers, keys.directoryUserIndex];
  // A change may revoke PINs in the same step: the PIN keys first (their scripts' includes expect them there).
  const changeKeys = [...PIN_KEYS, ...directoryKeys];
  const flag = (on: boolean | undefined): string => (on === true ? '1' : '0');

  async function getAccount(accountId: string): Promise<Account | undefined> {
    return parseAccount(accountId, await withRedis(() => redis.hget(keys.directoryAccounts, accountId)));
  }

  /** The account; throws 404 when it does not exist. */
  const requireAccount = async (accountId: string): Promise<Account> =>
    (await getAccount(accountId)) ?? refuse(accountId, 'account_not_found');

  /** One user of the account; throws 404 when the account or the user does not exist. */
  async function requireUser(accountId: string, userId: string): Promise<User> {
    const [account, stored] = await Promise.all([
      getAccount(accountId),
      withRedis(() => redis.hget(keys.directoryUsers, ownerKey({ accountId, userId }))),
    ]);
    if (account === undefined) refuse(accountId, 'account_not_found');
    const user = parseUser(accountId, userId, account.contacts, stored);
    if (user === undefined) refuse(accountId, 'user_not_found', userId);
    return user;
  }

  return {
    requireAccount,
    requireUser,

    /** The names of many accounts and users in one round trip (the console's panels hold only ids). */
    async names(refs: readonly NameRef[]): Promise<Names> {
      const accountIds = [...new Set(refs.map((ref) => ref.accountId))];
      const owners = [...new Set(refs.flatMap((ref) => (ref.userId === undefined ? [] : [ownerKey({ accountId: ref.accountId, userId: ref.userId })])))];
      const [accounts, users] = await withRedis(() =>
        Promise.all([
          accountIds.length === 0 ? [] : redis.hmget(keys.directoryAccounts, ...accountIds),
          owners.length === 0 ? [] : redis.hmget(keys.directoryUsers, ...owners),
        ]),
      );
      const accountNames = new Map(accountIds.map((id, i) => [id, parseAccount(id, accounts[i] ?? null)?.name]));
      const userNames = new Map(owners.map((owner, i) => [owner, nameOf(users[i])]));
      return {
        account: (accountId) => accountNames.get(accountId),
        user: (accountId, userId) => userNames.get(ownerKey({ accountId, userId })),
      };
    },

    /** Up to `limit` users after the id `after`, in id order; throws 404 when the account does not exist. */
    async listUsers(accountId: string, { after, limit }: { after?: string | undefined; limit: number }) {
      const reply = await listDirectoryUsers(directoryKeys, [accountId, after ?? '', limit]);
      const [outcome = '', admin, billing, ...pairs] = strings(reply);
      if (outcome !== 'ok') refuse(accountId, outcome);
      const contacts = contactsOf([admin, billing]);
      const users: User[] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const user = parseUser(accountId, pairs[i] ?? '', contacts, pairs[i + 1] ?? null);
        if (user !== undefined) users.push(user);
      }
      return users;
    },

    /** `revokePins`: the plan has no phone support, so the users' live PINs go in the same step. */
    async putAccount(accountId: string, body: AccountBody, options: { ifMatch?: IfMatch; revokePins?: boolean } = {}) {
      const [outcome, created, rev, admin, billing] = await putDirectoryAccount(changeKeys, [
        scriptDeadline(),
        accountId,
        body.name,
        body.sla,
        ifMatchArg(options.ifMatch),
        flag(options.revokePins),
      ]);
      if (outcome !== 'ok') refuse(accountId, outcome);
      const contacts = contactsOf(strings([admin, billing]));
      return { created: created === 1, account: { id: accountId, ...body, contacts, rev: Number(rev) } };
    },

    /** Deletes the account and its users, and revokes their PINs. */
    async deleteAccount(accountId: string): Promise<void> {
      const [outcome] = await deleteDirectoryAccount(changeKeys, [scriptDeadline(), accountId]);
      if (outcome !== 'ok') refuse(accountId, outcome);
    },

    /** `revokePin`: the user may not phone support, so their live PIN goes in the same step. */
    async putUser(accountId: string, userId: string, body: UserBody,
      options: { ifMatch?: IfMatch; revokePin?: boolean } = {}) {
      const [outcome, ...rest] = await putDirectoryUser(changeKeys, [
        scriptDeadline(),
        accountId,
        userId,
        JSON.stringify({ name: body.name, permissions: body.permissions }),
        flag(body.roles !== undefined),
        (body.roles ?? []).join(','),
        ...rolesAllowedFor(body.permissions).map(flag),
        ifMatchArg(options.ifMatch),
        flag(options.revokePin),
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

    /** Deletes the user and revokes their PIN. */
    async deleteUser(accountId: string, userId: string): Promise<void> {
      const [outcome, ...held] = await deleteDirectoryUser(changeKeys, [scriptDeadline(), accountId, userId]);
      if (outcome === 'contact') throw contactCannotBeDeleted(held.filter(isContactRole));
      if (outcome !== 'ok') refuse(accountId, outcome, userId);
    },
  };
}

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;
