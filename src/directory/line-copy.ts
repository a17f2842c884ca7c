import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { asNumber, defineScript } from '../redis/scripts.js';
import type { MemberFacts } from './directory-records.js';

/*
 * The line's copy of what a call decides on from the directory, under the call path's `{line}`
 * hash tag, so the PIN step can verify, decide and admit a caller in one script
 * (src/calls/lua/check-pin-step-21.lua) although the directory lives in each account's own slot:
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

// How long after its mark a change may still land. Its directory write is sent with a deadline
// two thirds of the way (ChangeMark.writeBy), so a stalled change cannot land after a call stopped
// waiting for it; the third left over allows for Redis nodes' clocks (Cluster) disagreeing.
export const STALE_MARK_MS = 30_000;

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
  const markDirectoryChange = defineScript(redis, new URL('./lua/mark-directory-change-1.lua', import.meta.url), asNumber);
  const copyDirectoryCards = defineScript(redis, new URL('./lua/copy-directory-cards-2.lua', import.meta.url), asNumber);

  const copy = (mode: 'settle' | 'fill', accountId: string, userId: string | undefined, facts: MemberFacts, settling?: { mark: ChangeMark; raiseFloor: boolean }) =>
    copyDirectoryCards(
      [keys.lineAccounts, keys.lineUsers],
      [
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
      ],
    );

  return {
    /** Before a change of the account's directory: calls read the directory itself until it settles. */
    async markChange(accountId: string): Promise<ChangeMark> {
      const id = randomBytes(6).toString('hex');
      const markedAt = await markDirectoryChange([keys.lineAccounts], [accountId, id]);
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
