import { setTimeout as sleep } from 'node:timers/promises';
import { isWithheld } from '../caller-id.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { guessBudget, guessesLeft, hitProbability, riskOfGuess, type GuessStanding } from '../policy/guess-bound.js';
import { guessLimitsTable, RISK_UNIT } from '../pins/guess-scripts.js';
import { hashPin } from '../pins/pin-code.js';
import type { PinOwner } from '../pins/pin-store.js';
import { parseAccount, parseUser } from '../directory/directory-records.js';
import type { Account, User } from '../directory/directory-schema.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { asTagged, asUnknown, defineScript } from '../redis/scripts.js';
import { WAITING_KEYS } from '../oncall/waiting-callers.js';
import { CALL_STATE_TTL_MS, CLAIM_MS, claimStepWith, type CallState } from './call-state.js';
import type { Decision } from './decisions.js';

// The limits on guessing (docs/security.md "The guessing bound"), enforced in the script that checks the guess.
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const BUCKETS_PER_WINDOW = 24;

// One lockout shared by every withheld number would let one guesser lock them all out: each such call stands alone.
const callerOf = (from: string, callSid: string): string => (isWithheld(from) ? `withheld:${callSid}` : from);

export type GuessOutcome =
  | { kind: 'locked_out' }
  // Not checked: the PIN-only allowance is spent (ask for the account code), or the code typed was retired.
  | { kind: 'account_code' }
  | { kind: 'code_retired' }
  // A right PIN whose owner cannot be put through now, as the directory said in the same script.
  | { kind: 'hit'; owner: PinOwner; account: Account | undefined; user: User | undefined }
  | { kind: 'admitted'; owner: PinOwner; tier: string; decision: Decision }
  // Counted, and its decision recorded by the script.
  | { kind: 'miss'; lockedOut: boolean; alarm: boolean; decision: Decision };

export type PinStep =
  | { kind: 'decided'; decision: Decision }
  /** `guess` is undefined when it was not checked (nothing typed, or an account code asked for). */
  | { kind: 'claimed'; state: CallState; guess: GuessOutcome | undefined };

export function createAbuseLimits(deps: {
  redis: RedisClient;
  clock: Clock;
  policy: Policy;
  secret: string;
  log: Logger;
  metrics?: Metrics;
  /** Told once per lockout, in the background (the pin.locked_out event). */
  onLockout?: (lockout: { callerNumber: string; failures: number; lockedUntil: number }) => Promise<void>;
}) {
  const { redis, clock, policy, secret, log, metrics } = deps;
  const budget = guessBudget(policy);
  const bucketMs = Math.ceil(budget.windowMs / BUCKETS_PER_WINDOW);
  /** The spend's bucket at `now`, and the newest bucket no longer in the window. */
  const spendBuckets = (now: number): [string, string] => {
    const bucket = Math.floor(now / bucketMs);
    return [String(bucket), String(bucket - Math.ceil(budget.windowMs / bucketMs) - 1)];
  };
  const threshold = policy.line.alarmFailuresPerMinute;
  const checkPinStep = defineScript(redis, new URL('./lua/check-pin-step-21.lua', import.meta.url), asUnknown, {
    LIMITS: guessLimitsTable({
      digits: policy.pin.digits,
      // Allowances rounded down to whole units, as each guess's risk is rounded up.
      pinOnly: Math.floor(budget.pinOnly / RISK_UNIT),
      perCode: Math.floor(budget.perCode / RISK_UNIT),
      atCap: Math.ceil(budget.atCap / RISK_UNIT),
      spendTtlMs: budget.windowMs + 2 * bucketMs,
      callerWindowMs: HOUR_MS,
      callerLimit: policy.callers.failedPinsPerHour,
      lockoutMs: policy.callers.lockoutSeconds * 1000,
      minuteTtlMs: 3 * MINUTE_MS,
    }),
    PRIORITY: Object.fromEntries(Object.entries(policy.tiers).map(([name, tier]) => [name, tier.priority])),
    // A miss that locks the number out, or spends the call's last attempt, decides the same at any step.
    STEP: {
      claimMs: CLAIM_MS,
      callTtlMs: String(CALL_STATE_TTL_MS),
      attemptsPerCall: policy.pin.attemptsPerCall,
      alarmThreshold: threshold,
      lockedOut: JSON.stringify({ kind: 'locked_out' } satisfies Decision),
      tooMany: JSON.stringify({ kind: 'too_many_attempts' } satisfies Decision),
    },
  });
  const guessStatus = defineScript(redis, new URL('../pins/lua/guess-status-6.lua', import.meta.url), asTagged);
  const indexKeys = [keys.pinsByHash, keys.pinsByOwner, keys.pinExpiry, keys.pinsLiveByCode, keys.guessSpend];

  async function readStatus(caller: string) {
    const now = clock.now();
    const [bucket, oldest] = spendBuckets(now);
    const [lockedUntil, live, spent, guesses] = await guessStatus([...indexKeys, keys.callerLockout(caller)], [now, oldest, bucket]);
    return { lockedOut: Number(lockedUntil || 0) > now, live: Number(live), spent: Number(spent) * RISK_UNIT, guesses: Number(guesses) };
  }

  function outcomeOf([outcome, a, b, c, d, e]: string[], now: number, from: string): GuessOutcome | undefined {
    switch (outcome) {
      case 'unchecked':
        return undefined;
      case 'locked_out':
      case 'account_code':
      case 'code_retired':
        return { kind: outcome };
      case 'hit': {
        const [accountId = '', userId = ''] = String(a).split('/');
        const account = b === undefined || b === '' ? undefined : parseAccount(accountId, b);
        const user = account === undefined ? undefined : parseUser(accountId, userId, account.contacts, c ?? null);
        return { kind: 'hit', owner: { accountId, userId }, account, user };
      }
      case 'admitted': {
        const [accountId = '', userId = ''] = String(b).split('/');
        return { kind: 'admitted', owner: { accountId, userId }, tier: c ?? '', decision: JSON.parse(a ?? '') as Decision };
      }
      case 'miss': {
        const thisMinute = Number(c);
        const alarm = Number(d) >= threshold;
        metrics?.lineAlarm.set(alarm ? 1 : 0);
        if (thisMinute === threshold) {
          log.error({ failuresThisMinute: thisMinute, threshold }, 'line alarm: PIN failures across the line exceed the threshold');
        }
        if (e !== undefined && e !== '') {
          // Once per code: someone who knew it spent its allowance (the code itself is never logged).
          log.warn({ accountId: e === '-' ? null : e }, "account code retired: its guesses' allowance is spent; the account's next PIN shows a new code");
        }
        const lockedOut = Number(b) === 1;
        if (lockedOut) {
          const lockout = { callerNumber: from.slice(0, 32), failures: policy.callers.failedPinsPerHour, lockedUntil: now + policy.callers.lockoutSeconds * 1000 };
          log.warn({ from: lockout.callerNumber, failures: lockout.failures }, 'caller number locked out after failed PINs');
          void tellLockout(lockout);
        }
        return { kind: 'miss', lockedOut, alarm, decision: JSON.parse(a ?? '') as Decision };
      }
      default:
        throw new Error('unexpected reply from the PIN step');
    }
  }

  // A retried webhook hears the recorded decision and never comes back here: so a few tries, in the
  // background, as a failing outbox must neither cost the caller an apology nor lose the event quietly.
  async function tellLockout(lockout: Parameters<NonNullable<typeof deps.onLockout>>[0]): Promise<void> {
    for (let tries = 1; ; tries += 1) {
      try {
        return await deps.onLockout?.(lockout);
      } catch (error) {
        if (tries === 5) {
          log.error({ err: error, from: lockout.callerNumber }, 'could not tell the control panel of a lockout');
          return;
        }
        await sleep(500);
      }
    }
  }

  return {
    /** At the first ring: whether the number is locked out, and whether the line wants the account code. */
    async incoming(from: string, callSid: string): Promise<{ lockedOut: boolean; partitioned: boolean }> {
      const status = await readStatus(callerOf(from, callSid));
      const partitioned = status.spent + riskOfGuess(status.live, policy.pin.digits) > budget.pinOnly;
      return { lockedOut: status.lockedOut, partitioned };
    },

    /**
     * A PIN prompt's answer in one script (lua/check-pin-step-21.lua); `openTiers`: who may be admitted.
     * `pin` is undefined for digits that cannot be a PIN (a miss that risks nothing). Never logs the digits.
     */
    async checkPinStep(guess: {
      from: string;
      callSid: string;
      step: string;
      attempt: number;
      pin: string | undefined;
      typed: boolean;
      openTiers: readonly string[];
      notAfter: number;
    }): Promise<PinStep> {
      const now = clock.now();
      const minute = Math.floor(now / MINUTE_MS);
      const caller = callerOf(guess.from, guess.callSid);
      const pinHash = guess.pin === undefined ? '' : hashPin(secret, guess.pin);
      const claim = await claimStepWith(
        () =>
          checkPinStep(
            [
              ...indexKeys,
              keys.callerFailures(caller),
              keys.callerLockout(caller),
              keys.lineFailures(minute),
              keys.lineFailures(minute - 1),
              keys.call(guess.callSid),
              keys.pinsConsumed,
              keys.pinsConsumedUntil,
              keys.directoryAccounts,
              keys.directoryUsers,
              ...WAITING_KEYS,
              keys.accountCodes,
            ],
            [
              scriptDeadline(guess.notAfter),
              now,
              pinHash,
              `${guess.callSid}:${guess.step}`,
              ...spendBuckets(now),
              now - HOUR_MS,
              `step:${guess.step}`,
              `claim:${guess.step}`,
              guess.typed ? '1' : '0',
              guess.attempt,
              JSON.stringify({ kind: 'ask_pin', attempt: guess.attempt + 1, retry: true } satisfies Decision),
              JSON.stringify({ kind: 'ask_account_code', attempt: guess.attempt + 1, retry: true } satisfies Decision),
              `,${guess.openTiers.join(',')},`,
              guess.callSid,
              guess.from,
            ],
          ),
        6,
      );
      if (claim.kind === 'decided') return claim;
      return { kind: 'claimed', state: claim.state, guess: outcomeOf(claim.extra, now, guess.from) };
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
