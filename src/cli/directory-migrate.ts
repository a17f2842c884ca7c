import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { asNumber, defineScript } from '../redis/scripts.js';

/**
 * Moves the directory from where versions before December 2026 kept it, one account per hash slot
 * (`callgate:{a:<accountId>}:account` HASH name, sla, rev, admin_contact, billing_contact, seq;
 * `…:users` HASH userId -> "<rev>:<JSON>"), into the call path's slot (lua/includes/directory.lua),
 * keeping every revision so ETags stay valid. Each account is imported in one script that does
 * nothing if the account is already there, so the command may be run again. It finds the old
 * accounts with SCAN (on a Cluster, on every master): an operator's one-off command, never a
 * request path. Run it with the old instances stopped: a change they make afterwards is not seen.
 */

const OLD_ACCOUNT = /^callgate:\{a:([A-Za-z0-9_-]{1,64})\}:account$/;
const ROLES = ['admin_contact', 'billing_contact'] as const;

export interface MigrationReport {
  imported: number;
  alreadyThere: number;
  users: number;
}

/** `prefix`: the client's key prefix, if it has one (SCAN patterns and replies carry it; commands add it). */
export async function migrateDirectory(redis: RedisClient, prefix = ''): Promise<MigrationReport> {
  const importAccount = defineScript(redis, new URL('../directory/lua/import-account-3.lua', import.meta.url), asNumber);
  const report: MigrationReport = { imported: 0, alreadyThere: 0, users: 0 };
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}callgate:{a:*}:account`, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        const accountId = OLD_ACCOUNT.exec(key.slice(prefix.length))?.[1];
        if (accountId === undefined) continue;
        const [account, users] = await Promise.all([
          redis.hgetall(`callgate:{a:${accountId}}:account`),
          redis.hgetall(`callgate:{a:${accountId}}:users`),
        ]);
        const userArgs = Object.entries(users).flat();
        const imported = await importAccount(
          [keys.directoryAccounts, keys.directoryUsers, keys.directoryUserIndex],
          [accountId, storedAccount(account), ...userArgs],
        );
        if (imported === 1) {
          report.imported += 1;
          report.users += userArgs.length / 2;
        } else report.alreadyThere += 1;
      }
    } while (cursor !== '0');
  }
  return report;
}

// The account as lua/includes/directory.lua stores it; a deleted account kept only its `seq`.
function storedAccount(old: Record<string, string>): string {
  const seq = Number(old.seq ?? 0);
  if (old.name === undefined || old.sla === undefined) return JSON.stringify({ seq });
  const holders = Object.fromEntries(ROLES.flatMap((role) => (old[role] === undefined || old[role] === '' ? [] : [[role, old[role]]])));
  return JSON.stringify({ seq, name: old.name, sla: old.sla, rev: Number(old.rev ?? 0), ...holders });
}
