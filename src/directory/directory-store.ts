import { notFound, UnavailableError } from '../errors.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { assertDeletable, contactsAfterUpsert } from './contact-rules.js';
import {
  rolesOf,
  storedAccountSchema,
  storedUserSchema,
  type Account,
  type AccountBody,
  type StoredAccount,
  type StoredUser,
  type User,
  type UserBody,
} from './directory-schema.js';

/** Accounts and users in Redis; every change is a compare-and-set on the account's version. */
export interface DirectoryStore {
  getAccount: (accountId: string) => Promise<Account | undefined>;
  /** The account and one of its users, in one round trip. */
  getMember: (accountId: string, userId: string) => Promise<{ account: Account | undefined; user: User | undefined }>;
  userIds: (accountId: string) => Promise<string[]>;
  putAccount: (accountId: string, body: AccountBody) => Promise<{ created: boolean; account: Account; previous?: Account }>;
  /** Deletes the account and its users; returns the ids of the users it had. */
  deleteAccount: (accountId: string) => Promise<string[]>;
  putUser: (accountId: string, userId: string, body: UserBody) => Promise<{ created: boolean; user: User; previous?: User }>;
  deleteUser: (accountId: string, userId: string) => Promise<void>;
}

interface Snapshot {
  version: number;
  account: StoredAccount | undefined;
}

type Write = { account: StoredAccount | null; user?: { id: string; data: StoredUser | null } };

// A compare-and-set only loses to another change of the same account; a few tries always suffice.
const MAX_TRIES = 8;

export function createDirectoryStore(redis: RedisClient): DirectoryStore {
  const parseAccount = (data: string | null): StoredAccount | undefined =>
    data === null ? undefined : storedAccountSchema.parse(JSON.parse(data));
  const parseUser = (accountId: string, userId: string, account: StoredAccount, data: string | null): User | undefined =>
    data === null
      ? undefined
      : { ...storedUserSchema.parse(JSON.parse(data)), id: userId, accountId, roles: rolesOf(account, userId) };

  async function readAccount(accountId: string): Promise<Snapshot> {
    const [version, data] = await withRedis(() => redis.hmget(keys.account(accountId), 'version', 'data'));
    return { version: Number(version ?? 0), account: parseAccount(data ?? null) };
  }

  async function readWithUser(accountId: string, userId: string): Promise<Snapshot & { userData: string | null }> {
    const [snapshot, userData] = await Promise.all([
      readAccount(accountId),
      withRedis(() => redis.hget(keys.users(accountId), userId)),
    ]);
    return { ...snapshot, userData };
  }

  async function write(accountId: string, expectedVersion: number, change: Write): Promise<boolean> {
    const reply = await withRedis(() =>
      redis.writeAccount(
        keys.account(accountId),
        keys.users(accountId),
        scriptDeadline(),
        expectedVersion,
        change.account === null ? '' : JSON.stringify(change.account),
        change.user?.id ?? '',
        change.user?.data == null ? '' : JSON.stringify(change.user.data),
      ),
    );
    if (isLate(reply)) throw new UnavailableError('directory write ran after its deadline');
    return Array.isArray(reply) && reply[0] === 'ok';
  }

  /** Reads, decides and writes until the write lands on the version it decided on. */
  async function change<S extends Snapshot, T>(
    accountId: string,
    read: () => Promise<S>,
    decide: (snapshot: S) => { write: Write; result: T },
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_TRIES; attempt += 1) {
      const snapshot = await read();
      const decision = decide(snapshot);
      if (await write(accountId, snapshot.version, decision.write)) return decision.result;
    }
    throw new UnavailableError('the account kept changing; retry');
  }

  const withId = (accountId: string, account: StoredAccount): Account => ({ ...account, id: accountId });
  const requireAccount = (account: StoredAccount | undefined, accountId: string): StoredAccount => {
    if (account === undefined) throw notFound('account_not_found', `No account ${accountId}.`);
    return account;
  };

  return {
    async getAccount(accountId) {
      const data = await withRedis(() => redis.hget(keys.account(accountId), 'data'));
      const account = parseAccount(data);
      return account === undefined ? undefined : withId(accountId, account);
    },

    async getMember(accountId, userId) {
      const { account, userData } = await readWithUser(accountId, userId);
      if (account === undefined) return { account: undefined, user: undefined };
      return { account: withId(accountId, account), user: parseUser(accountId, userId, account, userData) };
    },

    userIds: (accountId) => withRedis(() => redis.hkeys(keys.users(accountId))),

    putAccount: (accountId, body) =>
      change(
        accountId,
        () => readAccount(accountId),
        ({ account }) => {
          const next: StoredAccount = { name: body.name, sla: body.sla, contacts: account?.contacts ?? {} };
          const result = {
            created: account === undefined,
            account: withId(accountId, next),
            ...(account === undefined ? {} : { previous: withId(accountId, account) }),
          };
          return { write: { account: next }, result };
        },
      ),

    deleteAccount: (accountId) =>
      change(
        accountId,
        async () => {
          const [snapshot, userIds] = await Promise.all([
            readAccount(accountId),
            withRedis(() => redis.hkeys(keys.users(accountId))),
          ]);
          return { ...snapshot, userIds };
        },
        ({ account, userIds }) => {
          requireAccount(account, accountId);
          return { write: { account: null }, result: userIds };
        },
      ),

    putUser: (accountId, userId, body) =>
      change(
        accountId,
        () => readWithUser(accountId, userId),
        ({ account, userData }) => {
          const current = requireAccount(account, accountId);
          const previous = parseUser(accountId, userId, current, userData);
          const next: StoredAccount = { ...current, contacts: contactsAfterUpsert(current, userId, body) };
          const data: StoredUser = { name: body.name, permissions: body.permissions };
          const user: User = { ...data, id: userId, accountId, roles: rolesOf(next, userId) };
          return {
            write: { account: next, user: { id: userId, data } },
            result: { created: previous === undefined, user, ...(previous === undefined ? {} : { previous }) },
          };
        },
      ),

    deleteUser: (accountId, userId) =>
      change(
        accountId,
        () => readWithUser(accountId, userId),
        ({ account, userData }) => {
          const current = requireAccount(account, accountId);
          if (userData === null) throw notFound('user_not_found', `No user ${userId} in account ${accountId}.`);
          assertDeletable(current, userId);
          return { write: { account: current, user: { id: userId, data: null } }, result: undefined };
        },
      ),
  };
}
