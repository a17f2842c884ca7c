import { randomBytes } from 'node:crypto';
import type { Result } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { REDIS_CLOCK_LUA } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import type { MemberFacts } from './directory-records.js';

/*
 * The line's copy of what a call decides on from the directory, under the call path's `{line}`
 * hash tag, so the PIN step can verify, decide and admit a caller in one script
 * (src/calls/pin-step-script.ts) although the directory lives in each account's own slot:
 *   directory:accounts  HASH  <accountId> -> account card, JSON {seq, name, sla, adminId, adminName}
 *                             <accountId>:changes -> the changes in flight, "<change id>@<marked, epoch ms>" each
 *                             <accountId>:changing -> an earlier version's marks, "<count>|<marked, epoch ms>"
 *                               (a field of its own, so that its scripts, during a rolling deploy, cannot
 *                               overwrite or lift this version's marks; read as a mark, lifted when stale)
 *                             <accountId>:floor -> the oldest revision a user card of the account may have and be trusted
 *   directory:users     HASH  <accountId>/<userId> -> user card, JSON {seq, name, mayCall}
 * A card is {seq, gone: true} for an account or user deleted. `seq` is the account's revision
 * counter when the card was read (it only grows, across deletes too), and a card is only
 * replaced by one read at a later revision, so cards written out of order keep the newest.
 *
 * A directory change and its copy are in different slots, so they cannot be one script. The
 * change marks the account as changing first, writes the directory, reads it back and writes
 * the cards, then lifts its own mark (`settle`). The PIN step trusts cards only while no mark is
 * on the account: otherwise, or with no card, the call reads the directory itself (one more
 * round trip) and `fill`s the cards from what it read. A change whose instance died leaves its
 * mark: a fill lifts it once the change can no longer land, because what the fill then read is
 * the directory as the change left it. Every time here is Redis' clock (the mark's, the read's,
 * the write's deadline), never an instance's: the change's write is refused after
 * ChangeMark.writeBy, and a mark is lifted only by a read STALE_MARK_MS after it, so a change that
 * stalled between its mark and its write cannot land under a copy that stopped waiting for it.
 * The dead change may have been to another user, whose card it never rewrote, so lifting the mark
 * also raises the account's floor to the revision the fill read: a user card older than the
 * floor is not trusted, and that user's next call reads the directory and copies it again.
 * Deleting an account raises its floor too (to what its settle read, even if the id was used
 * again meanwhile), so a user of the deleted account whose PIN outlived it (its revocation
 * failed or has not run yet) is not vouched for by a card if the account's id is used again.
 */

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    markDirectoryChange(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    copyDirectoryCards(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

// How long after its mark a change may still land. Its directory write is sent with a deadline
// two thirds of the way (ChangeMark.writeBy), so a stalled change cannot land after a call stopped
// waiting for it; the third left over allows for Redis nodes' clocks (Cluster) disagreeing.
export const STALE_MARK_MS = 30_000;

/**
 * KEYS: accounts  ARGV: accountId, change id. Adds the change's mark, timed by Redis' clock, to
 * the account's marks ("<change id>@<epoch ms>", space-separated). Returns that time.
 */
const MARK_CHANGE_LUA = `${REDIS_CLOCK_LUA}
local field = ARGV[1] .. ':changes'
local marks = redis.call('HGET', KEYS[1], field)
local mark = ARGV[2] .. '@' .. string.format('%d', clockMs)
redis.call('HSET', KEYS[1], field, marks and (marks .. ' ' .. mark) or mark)
return clockMs
`;

/**
 * Writes an account's card and (owner not '') a user's, each only over an older one.
 * 'settle': a change's own copy; lifts that change's mark (no other), and for an account deleted
 * raises its floor to the revision read, whatever the read found (the id may already be in use again).
 * 'fill': a call's copy of what it read at readAt (Redis' clock); nothing while any mark on the
 * account is younger than staleMs then (its change may still land); else the marks (changes that
 * died) are lifted and the account's floor raised to the revision read.
 * KEYS: accounts, users  ARGV: mode, accountId, owner, seq, account card, user card, readAt, staleMs,
 *       change id (settle), '1' to raise the floor (settle)
 * Returns 1 when it wrote, 0 when a change in flight kept it from writing.
 */
const COPY_CARDS_LUA = `
local field, legacyField, floorField = ARGV[2] .. ':changes', ARGV[2] .. ':changing', ARGV[2] .. ':floor'
local marks, legacy = redis.call('HGET', KEYS[1], field), redis.call('HGET', KEYS[1], legacyField)
local seq = tonumber(ARGV[4])
local function raiseFloor()
  if seq > tonumber(redis.call('HGET', KEYS[1], floorField) or '0') then redis.call('HSET', KEYS[1], floorField, seq) end
end
-- Each mark "<change id>@<epoch ms>"; an earlier version's "<count>|<epoch ms>" is one mark no settle names.
local function marksIn(value)
  local list = {}
  for mark in string.gmatch(value or '', '%S+') do
    list[#list + 1] = {id = string.match(mark, '^([^@]*)@'), at = tonumber(string.match(mark, '(%d+)$')) or 0, text = mark}
  end
  return list
end
if ARGV[1] == 'fill' and (marks or legacy) then
  for _, value in ipairs({marks or '', legacy or ''}) do
    for _, mark in ipairs(marksIn(value)) do
      if mark.at + tonumber(ARGV[8]) >= tonumber(ARGV[7]) then return 0 end
    end
  end
  redis.call('HDEL', KEYS[1], field, legacyField)
  raiseFloor()
  marks = nil
end
local function put(key, cardField, card)
  local stored = redis.call('HGET', key, cardField)
  if stored and tonumber(string.match(stored, '^{"seq":(%d+)')) >= seq then return false end
  redis.call('HSET', key, cardField, card)
  return true
end
-- An account deleted: none of its users' cards may be trusted again, whatever account takes its id.
if put(KEYS[1], ARGV[2], ARGV[5]) and string.find(ARGV[5], '"gone":true', 1, true) then raiseFloor() end
if ARGV[10] == '1' then raiseFloor() end
if ARGV[3] ~= '' then put(KEYS[2], ARGV[3], ARGV[6]) end
if ARGV[1] == 'settle' and marks then
  local others = {}
  for _, mark in ipairs(marksIn(marks)) do
    if mark.id ~= ARGV[9] then others[#others + 1] = mark.text end
  end
  if #others == 0 then redis.call('HDEL', KEYS[1], field)
  else redis.call('HSET', KEYS[1], field, table.concat(others, ' ')) end
end
return 1
`;

/** A change's mark on its account: its id, and the last moment (Redis' clock) its directory write may land. */
export interface ChangeMark {
  id: string;
  writeBy: number;
}

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

/** `staleMs`: STALE_MARK_MS, shorter in tests that let a change stall. */
export function createLineCopy(deps: { redis: RedisClient; log: Logger; staleMs?: number }) {
  const { redis, log, staleMs = STALE_MARK_MS } = deps;
  redis.defineCommand('markDirectoryChange', { numberOfKeys: 1, lua: MARK_CHANGE_LUA });
  redis.defineCommand('copyDirectoryCards', { numberOfKeys: 2, lua: COPY_CARDS_LUA });

  const copy = (mode: 'settle' | 'fill', accountId: string, userId: string | undefined, facts: MemberFacts, settling?: { mark: ChangeMark; raiseFloor: boolean }) =>
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
        facts.readAt,
        staleMs,
        settling?.mark.id ?? '',
        settling?.raiseFloor === true ? '1' : '0',
      ),
    );

  return {
    /** Before a change of the account's directory: calls read the directory itself until it settles. */
    async markChange(accountId: string): Promise<ChangeMark> {
      const id = randomBytes(6).toString('hex');
      const markedAt = Number(await withRedis(() => redis.markDirectoryChange(keys.lineAccounts, accountId, id)));
      return { id, writeBy: markedAt + Math.floor((staleMs * 2) / 3) };
    },

    /**
     * After the change: the account's card and the changed user's (if any), from the directory as
     * read after it, and the change's mark lifted. `accountDeleted`: no user card of the account
     * older than this read is trusted again.
     */
    async settle(accountId: string, userId: string | undefined, facts: MemberFacts, mark: ChangeMark, accountDeleted = false): Promise<void> {
      await copy('settle', accountId, userId, facts, { mark, raiseFloor: accountDeleted });
    },

    /**
     * A call read the directory itself (no card, or a change in flight): its cards, from what it
     * read. Never rejects: the call has its answer and need not wait for this.
     */
    async fill(accountId: string, userId: string, facts: MemberFacts): Promise<void> {
      try {
        await copy('fill', accountId, userId, facts);
      } catch (error) {
        log.warn({ err: error, accountId }, "could not copy the directory's facts for the call path");
      }
    },
  };
}

export type LineCopy = ReturnType<typeof createLineCopy>;
