import type { Clock } from '../clock.js';
import { refuse } from '../directory/directory-store.js';
import { AppError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys, ownerKey, PIN_KEYS } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asTagged, defineScript } from '../redis/scripts.js';
import { generatePin, hashPin } from './pin-code.js';

/** Whose PIN it is. */
export interface PinOwner {
  accountId: string;
  userId: string;
}

/** An issue the script refused: the API's answer. */
function refuseIssue(owner: PinOwner, outcome: unknown, detail: unknown, pin: Policy['pin']): never {
  const { accountId, userId } = owner;
  switch (outcome) {
    case 'account_not_found':
    case 'user_not_found':
      return refuse(accountId, outcome, userId);
    case 'sla_not_eligible': {
      const message = `The account's plan (${String(detail)}) does not include phone support.`;
      throw new AppError(403, 'sla_not_eligible', message);
    }
    case 'permission_required':
      throw new AppError(403, 'permission_required', 'The user needs the Manage Support permission to phone support.');
    case 'too_many_live_pins':
      throw new AppError(
        409,
        'too_many_live_pins',
        `The account already has ${String(pin.livePerAccount)} live PINs, the most it may hold at once; ` +
          `one is freed when a PIN is used, revoked or expires (within ${String(pin.ttlSeconds)} seconds).`,
      );
    case 'rate_limited': {
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(detail) / 1000));
      throw new AppError(429, 'rate_limited', 'Too many PINs issued for this user; try again later.', {
        retryAfterSeconds,
      });
    }
    default:
      throw new Error(`unexpected reply from the PIN issue: ${String(outcome)}`);
  }
}

const HOUR_MS = 3_600_000;
const DEFAULT_ACCOUNT_CODE_DIGITS = 6;
// With 10^8 possible PINs and a few thousand live ones a collision is rare; ten in a row means a bug.
const MAX_DRAWS = 10;
// Codes offered to an account that needs one; the first no account ever held is taken.
const CODE_CANDIDATES = 4;

/*
 * The PIN index, under the call path's `{line}` hash tag (src/redis/keys.ts); owner "<accountId>/<userId>":
 *   by-hash       HASH  HMAC(pin) -> "<owner>|<expiresAtMs>|<account code>"
 *   by-owner      HASH  <owner> -> "<HMAC(pin)>|<expiresAtMs>"   (one live PIN per user)
 *   expiry        ZSET  HMAC(pin) scored by expiresAtMs
 *   live-by-code  HASH  <account code> -> live PINs issued with that code (the guess bound)
 *   consumed      HASH  <owner> -> "<HMAC(pin)>|<expiresAtMs>|<code>|<CallSid>": a PIN leased to a call;
 *                 consumed-until: when its PIN would have expired (a lease is forgotten then)
 *   account-codes HASH  "a:<accountId>" -> its code; "c:<code>" -> the account that holds or held it;
 *                 "r:<code>" -> when it was retired; "h:"/"n:<accountId>" -> it had a code / when one
 *                 was last replaced. A code is never given to another account.
 * Expiry follows the injected clock (ARGV now), not Redis TTLs.
 */

/** A by-owner or by-hash record's head and expiry, when it is live at `now`. */
function liveRecord(record: string | null, now: number): { head: string; expiresAt: number } | undefined {
  const [head = '', expiresAt] = (record ?? '').split('|');
  return Number(expiresAt) > now ? { head, expiresAt: Number(expiresAt) } : undefined;
}

export function createPinStore(
  redis: RedisClient,
  clock: Clock,
  options: {
    secret: string;
    /** The policy's PIN settings; without `livePerAccount` (a tool filling Redis) an account's live PINs are not capped. */
    pin: Omit<Policy['pin'], 'livePerAccount'> & { livePerAccount?: number };
    accountCodeDigits?: number;
    /** The guessing bound's window: an account's code is replaced at most once in it. */
    guessWindowMs?: number;
    drawPin?: (digits: number) => string;
  },
) {
  const { secret, drawPin = generatePin, accountCodeDigits = DEFAULT_ACCOUNT_CODE_DIGITS } = options;
  const settings = { ...options.pin, livePerAccount: options.pin.livePerAccount ?? Number.MAX_SAFE_INTEGER };
  const issuePin = defineScript(redis, new URL('./lua/issue-pin-10.lua', import.meta.url), asTagged);
  const revokePins = defineScript(redis, new URL('./lua/revoke-pins-6.lua', import.meta.url), asTagged);

  /**
   * `phoneTiers`: only for a user of the directory whose plan is among these tiers and who may phone
   * support, checked in the same script. `accountCode`: shown with the PIN; `sla`: '' when not asked.
   */
  async function issue(owner: PinOwner, phoneTiers?: readonly string[]) {
    for (let draw = 0; draw < MAX_DRAWS; draw += 1) {
      const pin = drawPin(settings.digits);
      const now = clock.now();
      const expiresAt = now + settings.ttlSeconds * 1000;
      // Drawn from the CSPRNG like a PIN: a code says nothing about the account, nor the next code about the last.
      const codes = Array.from({ length: CODE_CANDIDATES }, () => generatePin(accountCodeDigits));
      const [outcome, detail, sla] = await issuePin(
        [...PIN_KEYS, keys.pinIssues(ownerKey(owner)), keys.accountCodes, keys.directoryAccounts, keys.directoryUsers],
        [
          scriptDeadline(),
          now,
          hashPin(secret, pin),
          ownerKey(owner),
          expiresAt,
          HOUR_MS,
          settings.issuesPerUserPerHour,
          codes.join(','),
          settings.livePerAccount,
          options.guessWindowMs ?? 24 * HOUR_MS,
          phoneTiers === undefined ? '' : `,${phoneTiers.join(',')},`,
        ],
      );
      if (outcome === 'ok') return { pin, expiresAt, accountCode: String(detail), sla: String(sla) };
      // A hash a live PIN has, or no candidate code free: draw again.
      if (outcome !== 'collision' && outcome !== 'no_code') refuseIssue(owner, outcome, detail, settings);
    }
    throw new Error('could not draw a PIN unique among live PINs');
  }

  /** Whether an owner has a live PIN, and until when. */
  function statusOf(record: string | null, now: number) {
    const expiresAt = liveRecord(record, now)?.expiresAt;
    return expiresAt === undefined ? { active: false, expiresAt: null } : { active: true, expiresAt };
  }

  async function status(owner: PinOwner) {
    return statusOf(await withRedis(() => redis.hget(keys.pinsByOwner, ownerKey(owner))), clock.now());
  }

  /** Each owner's status, in order, read with one command (a page of users). */
  async function statuses(owners: PinOwner[]) {
    if (owners.length === 0) return [];
    const records = await withRedis(() => redis.hmget(keys.pinsByOwner, ...owners.map(ownerKey)));
    const now = clock.now();
    return records.map((record) => statusOf(record, now));
  }

  /** Revokes the owner's live PIN, if any. */
  async function revoke(owner: PinOwner): Promise<void> {
    await revokePins(PIN_KEYS, [scriptDeadline(), ownerKey(owner)]);
  }

  /** The owner of a live PIN, without using it up. */
  async function find(pin: string): Promise<(PinOwner & { expiresAt: number }) | undefined> {
    const live = liveRecord(await withRedis(() => redis.hget(keys.pinsByHash, hashPin(secret, pin))), clock.now());
    const [accountId = '', userId = ''] = live?.head.split('/') ?? [];
    return live === undefined ? undefined : { accountId, userId, expiresAt: live.expiresAt };
  }

  const liveCount = () => withRedis(() => redis.zcount(keys.pinExpiry, `(${String(clock.now())}`, '+inf'));

  return { issue, status, statuses, revoke, find, liveCount };
}

export type PinStore = ReturnType<typeof createPinStore>;
