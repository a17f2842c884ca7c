import type { Result } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { guessBudget, guessesLeft, hitProbability, riskOfGuess } from '../pins/guess-bound.js';
import { CHECK_GUESS_LUA, GUESS_STATUS_LUA } from '../pins/guess-scripts.js';
import { hashPin } from '../pins/pin-code.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { UnavailableError } from '../errors.js';

/**
 * The limits on guessing (README "The guessing bound"), enforced where the guess is
 * checked, in one script: failed PINs per caller number (then the number is turned
 * away for a while), the line's budget of guessing risk (past which a guess needs the
 * account code too, and past that nothing is checked), and the line alarm, which
 * tightens every call to one attempt while failures across all numbers run high.
 * Times come from the injected clock, so tests can move through an hour or a day.
 */

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    checkGuess(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    guessStatus(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const BUCKETS_PER_WINDOW = 24;

/**
 * Twilio reports a withheld caller ID as the keypad spelling of the carrier's word
 * (ANONYMOUS → +266696687, RESTRICTED, UNKNOWN, BLOCKED, UNAVAILABLE, PRIVATE) or, on some
 * legs, as the word itself. One shared lockout for all of them would let one guesser lock
 * out everyone who withholds their number, so each such call is limited on its own (its
 * attempts per call) and, with every other call, by the line's budget.
 */
const WITHHELD_FROM = new Set(['+266696687', '+7378742833', '+8656696', '+2562533', '+86282452253', '+7748283']);
export const isWithheld = (from: string): boolean => WITHHELD_FROM.has(from) || !/^\+?\d{3,20}$/.test(from);
const callerOf = (from: string, callSid: string): string => (isWithheld(from) ? `withheld:${callSid}` : from);

export type GuessOutcome =
  | { kind: 'locked_out' }
  /** The PIN-only budget is spent: the guess was not checked; ask for the account code. */
  | { kind: 'account_code' }
  /** The whole budget is spent: the guess was not checked, and none will be for a while. */
  | { kind: 'exhausted' }
  | { kind: 'hit'; owner: PinOwner; expiresAt: number }
  | { kind: 'miss'; lockedOut: boolean; alarm: boolean };

export interface GuessStanding {
  livePins: number;
  guesses: number;
  /** The chance that the guesses missed in the window found a live PIN, had they been random. */
  probability: number;
  /** PIN-only guesses left at today's live count before the line asks for the account code. */
  guessesLeft: number;
}

/** A caller number just locked out for failed PINs: the security team hears of it (pin.locked_out). */
export interface Lockout {
  callerNumber: string;
  failures: number;
  lockedUntil: number;
}

export function createAbuseLimits(deps: {
  redis: RedisClient;
  clock: Clock;
  policy: Policy;
  secret: string;
  log: Logger;
  metrics?: Metrics;
  /** Told once per lockout, before the caller is answered (a failure here is the apology, and the retry tells again). */
  onLockout?: (lockout: Lockout) => Promise<void>;
}) {
  const { redis, clock, policy, secret, log, metrics } = deps;
  redis.defineCommand('checkGuess', { numberOfKeys: 9, lua: CHECK_GUESS_LUA });
  redis.defineCommand('guessStatus', { numberOfKeys: 6, lua: GUESS_STATUS_LUA });
  const budget = guessBudget(policy);
  const bucketMs = Math.ceil(budget.windowMs / BUCKETS_PER_WINDOW);
  const threshold = policy.line.alarmFailuresPerMinute;
  const indexKeys = [keys.pinsByHash, keys.pinsByOwner, keys.pinExpiry, keys.pinsLiveByCode, keys.guessSpend];
  // Under attack the spent budget is met on every call: one error line a minute is enough.
  let exhaustedLoggedAt = Number.NEGATIVE_INFINITY;

  async function readStatus(caller: string) {
    const now = clock.now();
    const reply = await withRedis(() =>
      redis.guessStatus(...indexKeys, keys.callerLockout(caller), now, budget.windowMs, bucketMs),
    );
    const [lockedUntil, live, spent, guesses] = Array.isArray(reply) ? (reply as unknown[]) : [];
    return { lockedOut: Number(lockedUntil || 0) > now, live: Number(live), spent: Number(spent), guesses: Number(guesses) };
  }

  return {
    /** At the first ring: whether the number is locked out, and whether the line wants the account code. */
    async incoming(from: string, callSid: string): Promise<{ lockedOut: boolean; partitioned: boolean }> {
      const status = await readStatus(callerOf(from, callSid));
      const partitioned = status.spent + riskOfGuess(status.live, policy.pin.digits) > budget.pinOnly;
      return { lockedOut: status.lockedOut, partitioned };
    },

    /**
     * Checks one guess within the limits and counts it, atomically. `pin` is undefined for
     * digits that cannot be a PIN (a miss that risks nothing). Never logs the digits.
     */
    async checkGuess(guess: { from: string; callSid: string; attemptId: string; pin: string | undefined; accountCode?: string | undefined }): Promise<GuessOutcome> {
      const now = clock.now();
      const minute = Math.floor(now / MINUTE_MS);
      const caller = callerOf(guess.from, guess.callSid);
      const reply = await withRedis(() =>
        redis.checkGuess(
          ...indexKeys,
          keys.callerFailures(caller),
          keys.callerLockout(caller),
          keys.lineFailures(minute),
          keys.lineFailures(minute - 1),
          scriptDeadline(),
          now,
          guess.pin === undefined ? '' : hashPin(secret, guess.pin),
          guess.attemptId,
          guess.accountCode ?? '',
          policy.pin.digits,
          budget.pinOnly,
          budget.total,
          budget.windowMs,
          bucketMs,
          HOUR_MS,
          policy.callers.failedPinsPerHour,
          policy.callers.lockoutSeconds * 1000,
          3 * MINUTE_MS,
        ),
      );
      if (isLate(reply)) throw new UnavailableError('guess check ran after its deadline');
      const [outcome, a, b, c] = Array.isArray(reply) ? (reply as unknown[]) : [];
      switch (outcome) {
        case 'locked_out':
        case 'account_code':
          return { kind: outcome };
        case 'exhausted':
          if (now - exhaustedLoggedAt >= MINUTE_MS) {
            exhaustedLoggedAt = now;
            log.error({ bound: policy.line.guessBound }, 'guess budget spent: no PIN is checked until the window moves on');
          }
          return { kind: 'exhausted' };
        case 'hit': {
          const [accountId = '', userId = ''] = String(a).split('/');
          return { kind: 'hit', owner: { accountId, userId }, expiresAt: Number(b) };
        }
        case 'miss': {
          const thisMinute = Number(b);
          const alarm = Number(c) >= threshold;
          metrics?.lineAlarm.set(alarm ? 1 : 0);
          if (thisMinute === threshold) {
            log.error({ failuresThisMinute: thisMinute, threshold }, 'line alarm: PIN failures across the line exceed the threshold');
          }
          const lockedOut = Number(a) === 1;
          if (lockedOut) {
            const lockout = { callerNumber: guess.from.slice(0, 32), failures: policy.callers.failedPinsPerHour, lockedUntil: now + policy.callers.lockoutSeconds * 1000 };
            log.warn({ from: lockout.callerNumber, failures: lockout.failures }, 'caller number locked out after failed PINs');
            await deps.onLockout?.(lockout);
          }
          return { kind: 'miss', lockedOut, alarm };
        }
        default:
          throw new Error('unexpected reply from the guess check');
      }
    },

    /** Where the day's bound stands, for /metrics. */
    async standing(): Promise<GuessStanding> {
      const status = await readStatus('');
      return {
        livePins: status.live,
        guesses: status.guesses,
        probability: hitProbability(status.spent),
        guessesLeft: guessesLeft(status.spent, status.live, policy),
      };
    },
  };
}

export type AbuseLimits = ReturnType<typeof createAbuseLimits>;
