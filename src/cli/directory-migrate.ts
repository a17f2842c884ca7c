import { Cluster } from 'ioredis';
import { z } from 'zod';
import { storedUserSchema } from '../directory/directory-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { asUnknown, defineScript } from '../redis/scripts.js';

/**
 * Moves the directory from one hash slot per account (`callgate:{a:<id>}:account` HASH, `…:users`
 * HASH userId -> "<rev>:<JSON>", before December 2026) into the call path's slot, keeping every
 * revision so ETags stay valid. import-account-3.lua adds only what is missing, so it may run again.
 * SCAN (on every Cluster master) is fine here: an operator's one-off command, never a request path.
 * The earlier copy in `{line}`, which nothing reads any more, is deleted; the `{a:<id>}` keys are left.
 */

const OLD_ACCOUNT = /^callgate:\{a:([A-Za-z0-9_-]{1,64})\}:account$/;
const OLD_LINE_COPY = ['callgate:{line}:directory:accounts', 'callgate:{line}:directory:users'];

const oldAccountSchema = z.object({
  seq: z.coerce.number().int().nonnegative().default(0),
  name: z.string().min(1).optional(),
  sla: z.string().min(1).optional(),
  rev: z.coerce.number().int().nonnegative().default(0),
  admin_contact: z.string().optional(),
  billing_contact: z.string().optional(),
});

/** `prefix`: the client's key prefix, if it has one (SCAN patterns and replies carry it; commands add it). */
export async function migrateDirectory(redis: RedisClient, prefix = '') {
  const importAccount = defineScript(redis, new URL('../directory/lua/import-account-3.lua', import.meta.url), asUnknown);
  // imported: deleted accounts too (as their revision counter); alreadyThere: only missing users added;
  // skipped: keys in a shape no version wrote, left behind.
  const report = { imported: 0, alreadyThere: 0, users: 0, skipped: [] as string[] };
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  if (nodes.length === 0) throw new Error('the Redis Cluster has no master node to read: is it ready?');
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}callgate:{a:*}:account`, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        const accountId = OLD_ACCOUNT.exec(key.slice(prefix.length))?.[1];
        if (accountId !== undefined) await migrateAccount(accountId);
      }
    } while (cursor !== '0');
  }
  await redis.del(...OLD_LINE_COPY);
  return report;

  async function migrateAccount(accountId: string): Promise<void> {
    const [account, users] = await Promise.all([
      redis.hgetall(`callgate:{a:${accountId}}:account`),
      redis.hgetall(`callgate:{a:${accountId}}:users`),
    ]);
    const parsed = oldAccountSchema.safeParse(account);
    if (!parsed.success) {
      report.skipped.push(`callgate:{a:${accountId}}:account`);
      return;
    }
    const userArgs = Object.entries(users).filter(([userId, stored]) => {
      const valid = /^[A-Za-z0-9_-]{1,64}$/.test(userId) && storedUserSchema.safeParse(parseStored(stored)).success;
      if (!valid) report.skipped.push(`callgate:{a:${accountId}}:users ${userId}`);
      return valid;
    });
    const [written, added] = (await importAccount(
      [keys.directoryAccounts, keys.directoryUsers, keys.directoryUserIndex],
      [accountId, storedAccount(parsed.data, new Set(userArgs.map(([userId]) => userId))), ...userArgs.flat()],
    )) as [number, number];
    if (written === 1) report.imported += 1;
    else report.alreadyThere += 1;
    report.users += added;
  }
}

function parseStored(stored: string): unknown {
  try {
    return JSON.parse(stored.slice(stored.indexOf(':') + 1));
  } catch {
    return undefined;
  }
}

// The account as lua/includes/directory.lua stores it; a deleted account kept only its `seq`, and
// a contact role names only a user who is there.
function storedAccount(old: z.infer<typeof oldAccountSchema>, userIds: ReadonlySet<string>): string {
  const { seq, name, sla, rev } = old;
  if (name === undefined || sla === undefined) return JSON.stringify({ seq });
  const holders = Object.fromEntries(
    (['admin_contact', 'billing_contact'] as const).flatMap((role) => {
      const holder = old[role];
      return holder !== undefined && userIds.has(holder) ? [[role, holder]] : [];
    }),
  );
  return JSON.stringify({ seq, name, sla, rev, ...holders });
}
