import type { Clock } from '../clock.js';
import { AppError, notFound } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys, ownerKey, PIN_KEYS } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asTagged, defineScript } from '../redis/scripts.js';
import { generatePin, hashPin } from './pin-code.js';

/** Whether an owner has a live PIN, and until when. */
export interface PinStatus {
  active: boolean;
  expiresAt: number | null;
}

/** Whose PIN it is. */
export interface PinOwner {
  accountId: string;
  userId: string;
}

export interface IssuedPin {
  pin: string;
  expiresAt: number;
  /**
   * The account's code, asked for with the PIN once the line's PIN-only guess allowance is spent;
   * a new one once guesses with it spent its own allowance (docs/security.md "The guessing bound").
   */
  accountCode: string;
  /** The owner's plan, as the directory said when the PIN was issued ('' when it was not asked). */
  sla: string;
}

/** An issue the directory refused: the API's answer. */
function refuseIssue(owner: PinOwner, outcome: unknown, detail: unknown): void {
  const { accountId, userId } = owner;
  if (outcome === 'account_not_found') throw notFound('account_not_found', `No account ${accountId}.`);
  if (outcome === 'user_not_found') throw notFound('user_not_found', `No user ${userId} in account ${accountId}.`);
  if (outcome === 'sla_not_eligible') {
    throw new AppError(403, 'sla_not_eligible', `The account's plan (${String(detail)}) does not include phone support.`);
  }
  if (outcome === 'permission_required') {
    throw new AppError(403, 'permission_required', 'The user needs the Manage Support permission to phone support.');
  }
}

export interface PinStore {
  /**
   * `phoneTiers`: only for a user of the directory who may phone support (the plan among these
   * tiers), checked in the same step; refused with the API's 404 or 403 otherwise.
   */
  issue: (owner: PinOwner, phoneTiers?: readonly string[]) => Promise<IssuedPin>;
  status: (owner: PinOwner) => Promise<PinStatus>;
  /** Each owner's status, in order, read with one command (a page of users). */
  statuses: (owners: PinOwner[]) => Promise<PinStatus[]>;
  /** Revokes the live PIN of each owner; returns how many there were. */
  revoke: (owners: PinOwner[]) => Promise<number>;
  /** The owner of a live PIN, without using it up. */
  find: (pin: string) => Promise<(PinOwner & { expiresAt: number }) | undefined>;
  /** How many PINs are live now (for the risk metric). */
  liveCount: () => Promise<number>;
}

const HOUR_MS = 3_600_000;
const DEFAULT_ACCOUNT_CODE_DIGITS = 6;
// With 10^8 possible PINs and a few thousand live ones a collision is rare; ten in a row means a bug.
const MAX_DRAWS = 10;
// Codes offered to an account that needs one; the first no account ever held is taken.
const CODE_CANDIDATES = 4;

/**
 * Each account's code, and the codes ever given (lua/issue-pin-10.lua), under the call path's
 * `{line}` tag: the PIN step reads it with the PIN index.
 */

/*
 * The PIN index, all under the call path's `{line}` hash tag (src/redis/keys.ts):
 *   by-hash       HASH  HMAC(pin)  -> "<owner>|<expiresAtMs>|<account code>"
 *   by-owner      HASH  <owner>    -> "<HMAC(pin)>|<expiresAtMs>"   (one live PIN per user)
 *   expiry        ZSET  HMAC(pin) scored by expiresAtMs              (pruning, live count)
 *   live-by-code  HASH  <account code> -> live PINs issued with that code (the guess bound)
 *   consumed      HASH  <owner> -> "<HMAC(pin)>|<expiresAtMs>|<code>|<CallSid>": a PIN leased to a call
 *                 until Twilio reports what became of it (lua/includes/consume-pin.lua); consumed-until:
 *                 when its PIN would have expired (a lease is forgotten then)
 *   account-codes HASH  "a:<accountId>" -> the account's code; "c:<code>" -> the account that holds
 *                 or held it; "r:<code>" -> when it was retired. A code is drawn at random, held by
 *                 one account only, and never given to another.
 * An owner is "<accountId>/<userId>"; neither id may contain "/" or "|". Expiry is decided by the
 * caller's clock (ARGV now), so TTLs follow the injected clock.
 */

// "<head>|<expiresAtMs>" or, in by-hash, "<head>|<expiresAtMs>|<account code>".
function parseRecord(record: string): { head: string; expiresAt: number } | undefined {
  const [head, expiresAt] = record.split('|');
  if (head === undefined || expiresAt === undefined) return undefined;
  return { head, expiresAt: Number(expiresAt) };
}

function parseOwner(owner: string): PinOwner | undefined {
  const [accountId, userId, ...rest] = owner.split('/');
  return accountId === undefined || userId === undefined || rest.length > 0 ? undefined : { accountId, userId };
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
): PinStore {
  const { secret, drawPin = generatePin, accountCodeDigits = DEFAULT_ACCOUNT_CODE_DIGITS } = options;
  const settings = { ...options.pin, livePerAccount: options.pin.livePerAccount ?? Number.MAX_SAFE_INTEGER };
  const issuePin = defineScript(redis, new URL('./lua/issue-pin-10.lua', import.meta.url), asTagged);
  const revokePins = defineScript(redis, new URL('./lua/revoke-pins-6.lua', import.meta.url), asTagged);
  const pinKeys = PIN_KEYS;

  async function issue(owner: PinOwner, phoneTiers?: readonly string[]): Promise<IssuedPin> {
    for (let draw = 0; draw < MAX_DRAWS; draw += 1) {
      const pin = drawPin(settings.digits);
      const now = clock.now();
      const expiresAt = now + settings.ttlSeconds * 1000;
      // Drawn from the CSPRNG like a PIN: a code says nothing about the account, nor the next code about the last.
      const codes = Array.from({ length: CODE_CANDIDATES }, () => generatePin(accountCodeDigits));
      const [outcome, detail, sla] = await issuePin(
        [...pinKeys, keys.pinIssues(ownerKey(owner)), keys.accountCodes, keys.directoryAccounts, keys.directoryUsers],
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
      refuseIssue(owner, outcome, detail);
      if (outcome === 'too_many_live_pins') {
        throw new AppError(
          409,
          'too_many_live_pins',
          `The account already has ${String(settings.livePerAccount)} live PINs, the most it may hold at once; one is freed when a PIN is used, revoked or expires (within ${String(settings.ttlSeconds)} seconds).`,
        );
      }
      if (outcome === 'rate_limited') {
        const retryAfterSeconds = Math.max(1, Math.ceil(Number(detail) / 1000));
        throw new AppError(429, 'rate_limited', 'Too many PINs issued for this user; try again later.', {
          retryAfterSeconds,
        });
      }
    }
    throw new Error('could not draw a PIN unique among live PINs');
  }

  function statusOf(record: string | null, now: number): PinStatus {
    const parsed = record === null ? undefined : parseRecord(record);
    if (parsed === undefined || parsed.expiresAt <= now) return { active: false, expiresAt: null };
    return { active: true, expiresAt: parsed.expiresAt };
  }

  async function status(owner: PinOwner): Promise<PinStatus> {
    return statusOf(await withRedis(() => redis.hget(keys.pinsByOwner, ownerKey(owner))), clock.now());
  }

  async function statuses(owners: PinOwner[]): Promise<PinStatus[]> {
    if (owners.length === 0) return [];
    const records = await withRedis(() => redis.hmget(keys.pinsByOwner, ...owners.map(ownerKey)));
    const now = clock.now();
    return records.map((record) => statusOf(record, now));
  }

  async function revoke(owners: PinOwner[]): Promise<number> {
    if (owners.length === 0) return 0;
    const [, revoked] = await revokePins(pinKeys, [scriptDeadline(), ...owners.map(ownerKey)]);
    return Number(revoked);
  }

  async function find(pin: string): Promise<(PinOwner & { expiresAt: number }) | undefined> {
    const record = await withRedis(() => redis.hget(keys.pinsByHash, hashPin(secret, pin)));
    const parsed = record === null ? undefined : parseRecord(record);
    if (parsed === undefined || parsed.expiresAt <= clock.now()) return undefined;
    const owner = parseOwner(parsed.head);
    return owner === undefined ? undefined : { ...owner, expiresAt: parsed.expiresAt };
  }


  const liveCount = () => withRedis(() => redis.zcount(keys.pinExpiry, `(${String(clock.now())}`, '+inf'));

  return { issue, status, statuses, revoke, find, liveCount };
}
