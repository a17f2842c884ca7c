import type { Result } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import type { MemberFacts } from './directory-records.js';

/*
 * The line's copy of what a call decides on from the directory, under the call path's `{line}`
 * hash tag, so the PIN step can verify, decide and admit a caller in one script
 * (src/calls/pin-step-script.ts) although the directory lives in each account's own slot:
 *   directory:accounts  HASH  <accountId> -> account card, JSON {seq, name, sla, adminId, adminName}
 *                             <accountId>:changing -> "<changes in flight>|<the latest began, epoch ms>"
 *                             <accountId>:floor -> the oldest revision a user card of the account may have and be trusted
 *   directory:users     HASH  <accountId>/<userId> -> user card, JSON {seq, name, mayCall}
 * A card is {seq, gone: true} for an account or user deleted. `seq` is the account's revision
 * counter when the card was read (it only grows, across deletes too), and a card is only
 * replaced by one read at a later revision, so cards written out of order keep the newest.
 *
 * A directory change and its copy are in different slots, so they cannot be one script. The
 * change marks the account as changing first, writes the directory, reads it back and writes
 * the cards, then lifts its mark (`settle`). The PIN step trusts cards only while no mark is
 * on the account: otherwise, or with no card, the call reads the directory itself (one more
 * round trip) and `fill`s the cards from what it read. A change whose instance died leaves its
 * mark: a fill lifts it once the change can no longer land (its write's deadline is long past,
 * STALE_MARK_MS), because what the fill then read is the directory as the change left it. The
 * dead change may have been to another user, whose card it never rewrote, so lifting the mark
 * also raises the account's floor to the revision the fill read: a user card older than the
 * floor is not trusted, and that user's next call reads the directory and copies it again.
 * Deleting an account raises its floor too, so a user of the deleted account whose PIN outlived
 * it (its revocation failed) is not vouched for by a card if the account's id is used again.
 */

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    markDirectoryChange(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    copyDirectoryCards(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

// Far longer than a directory write can still land after it was sent (src/redis/deadline.ts). A mark
// is timed by the instance that set it and judged by another's clock: they must agree well within this.
export const STALE_MARK_MS = 30_000;

/** KEYS: accounts  ARGV: accountId, now. Counts one more change of the account in flight. */
const MARK_CHANGE_LUA = `
local field = ARGV[1] .. ':changing'
local mark = redis.call('HGET', KEYS[1], field)
local count = mark and tonumber(string.match(mark, '^(%d+)|')) or 0
redis.call('HSET', KEYS[1], field, (count + 1) .. '|' .. ARGV[2])
return count + 1
`;

/**
 * Writes an account's card and (owner not '') a user's, each only over an older one.
 * 'settle': a change's own copy; lifts one of the account's marks.
 * 'fill': a call's copy of what it read; nothing while a change is in flight, and a mark older
 * than staleMs at the time the call began reading is lifted (the change that left it died),
 * the account's floor raised to the revision read.
 * KEYS: accounts, users  ARGV: mode, accountId, owner, seq, account card, user card, readBegan, staleMs
 * Returns 1 when it wrote, 0 when a change in flight kept it from writing.
 */
const COPY_CARDS_LUA = `
local field = ARGV[2] .. ':changing'
local mark = redis.call('HGET', KEYS[1], field)
if ARGV[1] == 'fill' and mark then
  local began = tonumber(string.match(mark, '|(%d+)$'))
  if began + tonumber(ARGV[8]) >= tonumber(ARGV[7]) then return 0 end
  redis.call('HDEL', KEYS[1], field)
  redis.call('HSET', KEYS[1], ARGV[2] .. ':floor', ARGV[4])
  mark = nil
end
local seq = tonumber(ARGV[4])
local function put(key, cardField, card)
  local stored = redis.call('HGET', key, cardField)
  if stored and tonumber(string.match(stored, '^{"seq":(%d+)')) >= seq then return false end
  redis.call('HSET', key, cardField, card)
  return true
end
-- An account deleted: none of its users' cards may be trusted again, whatever account takes its id.
if put(KEYS[1], ARGV[2], ARGV[5]) and string.find(ARGV[5], '"gone":true', 1, true) then
  redis.call('HSET', KEYS[1], ARGV[2] .. ':floor', ARGV[4])
end
if ARGV[3] ~= '' then put(KEYS[2], ARGV[3], ARGV[6]) end
if ARGV[1] == 'settle' and mark then
  local count = tonumber(string.match(mark, '^(%d+)|')) - 1
  if count <= 0 then redis.call('HDEL', KEYS[1], field)
  else redis.call('HSET', KEYS[1], field, count .. '|' .. string.match(mark, '|(%d+)$')) end
end
return 1
`;

// `seq` first: the scripts read it from the front of the JSON without decoding it.
export function accountCard(facts: MemberFacts): string {
  const { seq, account, adminContactName } = facts;
  if (account === undefined) return JSON.stringify({ seq, gone: true });
  const adminId = account.contacts.admin_contact ?? null;
  return JSON.stringify({ seq, name: account.name, sla: account.sla, adminId, adminName: adminId === null ? null : adminContactName });
}

export function userCard(facts: MemberFacts): string {
  const { seq, user } = facts;
  if (user === undefined) return JSON.stringify({ seq, gone: true });
  return JSON.stringify({ seq, name: user.name, mayCall: user.permissions.includes('manage_support') });
}

/** Marks are timed by the injected clock (the real one in production), so tests can let one go stale. */
export function createLineCopy(deps: { redis: RedisClient; clock: Clock; log: Logger }) {
  const { redis, clock, log } = deps;
  redis.defineCommand('markDirectoryChange', { numberOfKeys: 1, lua: MARK_CHANGE_LUA });
  redis.defineCommand('copyDirectoryCards', { numberOfKeys: 2, lua: COPY_CARDS_LUA });

  const copy = (mode: 'settle' | 'fill', accountId: string, userId: string | undefined, facts: MemberFacts, readBegan: number) =>
    withRedis(() =>
      redis.copyDirectoryCards(
        keys.lineAccounts,
        keys.lineUsers,
        mode,
        accountId,
        userId === undefined ? '' : `${accountId}/${userId}`,
        facts.seq,
        accountCard(facts),
        userCard(facts),
        readBegan,
        STALE_MARK_MS,
      ),
    );

  return {
    /** Before a change of the account's directory: calls read the directory itself until it settles. */
    async markChange(accountId: string): Promise<void> {
      await withRedis(() => redis.markDirectoryChange(keys.lineAccounts, accountId, clock.now()));
    },

    /** After the change: the account's card and the changed user's (if any), from the directory as read after it. */
    async settle(accountId: string, userId: string | undefined, facts: MemberFacts): Promise<void> {
      await copy('settle', accountId, userId, facts, 0);
    },

    /**
     * A call read the directory itself (no card, or a change in flight): its cards, from what it
     * read, which began at `readBegan` (the clock's epoch ms). Never rejects: the call has its
     * answer and need not wait for this.
     */
    async fill(accountId: string, userId: string, facts: MemberFacts, readBegan: number): Promise<void> {
      try {
        await copy('fill', accountId, userId, facts, readBegan);
      } catch (error) {
        log.warn({ err: error, accountId }, "could not copy the directory's facts for the call path");
      }
    },
  };
}

export type LineCopy = ReturnType<typeof createLineCopy>;
