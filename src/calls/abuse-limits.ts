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
import { ADMIT_CONSTANTS } from './admission.js';
import { CALL_STATE_TTL_MS, CLAIM_MS, claimStepWith, type CallState } from './call-state.js';
import type { Decision } from './decisions.js';

/**
 * The limits on guessing (docs/security.md "The guessing bound"), enforced where the guess is
 * checked, in one script: failed PINs per caller number (then the number is turned
 * away for a while), the line's allowance for PIN-only guesses (past which a guess needs
 * the account code too), each account code's own allowance (past which the code is
 * retired and the account's next PIN shows a new one), and the line alarm, which
 * tightens every call to one attempt while failures across all numbers run high.
 * Times come from the injected clock, so tests can move through an hour or a day.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const BUCKETS_PER_WINDOW = 24;

/**
 * One shared lockout for every withheld caller ID would let one guesser lock out everyone who
 * withholds their number, so each such call is limited on its own (its attempts per call) and,
 * with every other call, by the line's budget.
 */
const callerOf = (from: string, callSid: string): string => (isWithheld(from) ? `withheld:${callSid}` : from);

export type GuessOutcome =
  | { kind: 'locked_out' }
  /** The PIN-only allowance is spent: the guess was not checked; ask for the account code. */
  | { kind: 'account_code' }
  /** The account code typed was retired (its allowance spent): the guess was not checked. */
  | { kind: 'code_retired' }
  /** A right PIN whose owner cannot be put through now: who they are, as the directory says in the same step. */
  | { kind: 'hit'; owner: PinOwner; account: Account | undefined; user: User | undefined }
  /** A right PIN whose owner may be put through: the caller was admitted by the check itself. */
  | { kind: 'admitted'; owner: PinOwner; tier: string; decision: Decision }
  /** Counted, and the step's decision (`decision`) recorded with it. */
  | { kind: 'miss'; lockedOut: boolean; alarm: boolean; decision: Decision };

/** What a miss at this step decides when the call may try again (lua/check-pin-step-21.lua picks one). */
export interface MissDecisions {
  askPin: Decision;
  askAccountCode: Decision;
}

export type PinStep =
  | { kind: 'decided'; decision: Decision }
  /** `guess` is undefined when it was not checked (nothing typed, or an account code asked for). */
  | { kind: 'claimed'; state: CallState; guess: GuessOutcome | undefined };

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
  /** Told once per lockout (in the background, retried a few times). */
  onLockout?: (lockout: Lockout) => Promise<void>;
}) {
  const { redis, clock, policy, secret, log, metrics } = deps;
  const budget = guessBudget(policy);
  const bucketMs = Math.ceil(budget.windowMs / BUCKETS_PER_WINDOW);
  /** The spend's bucket at `now`, and the newest bucket no longer in the window (all older ones are out too). */
  const spendBuckets = (now: number): [string, string] => {
    const bucket = Math.floor(now / bucketMs);
    return [String(bucket), String(bucket - Math.ceil(budget.windowMs / bucketMs) - 1)];
  };
  const threshold = policy.line.alarmFailuresPerMinute;
  const checkPinStep = defineScript(redis, new URL('./lua/check-pin-step-21.lua', import.meta.url), asUnknown, {
    LIMITS: guessLimitsTable({
      digits: policy.pin.digits,
      // The scripts count risk in whole units; an allowance is rounded down to them, as each guess's risk is rounded up.
      pinOnly: Math.floor(budget.pinOnly / RISK_UNIT),
      perCode: Math.floor(budget.perCode / RISK_UNIT),
      atCap: Math.ceil(budget.atCap / RISK_UNIT),
      // The spend outlives its newest bucket by the window and two buckets more.
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
    ...ADMIT_CONSTANTS,
  });
  const guessStatus = defineScript(redis, new URL('../pins/lua/guess-status-6.lua', import.meta.url), asTagged);
  const indexKeys = [keys.pinsByHash, keys.pinsByOwner, keys.pinExpiry, keys.pinsLiveByCode, keys.guessSpend];

  async function readStatus(caller: string) {
    const now = clock.now();
    const [bucket, oldest] = spendBuckets(now);
    const [lockedUntil, live, spent, guesses] = await guessStatus([...indexKeys, keys.callerLockout(caller)], [now, oldest, bucket]);
    return { lockedOut: Number(lockedUntil || 0) > now, live: Number(live), spent: Number(spent) * RISK_UNIT, guesses: Number(guesses) };
  }

  function outcomeOf(
    outcome: string | undefined,
    [a, b, c, d, e]: (string | undefined)[],
    now: number,
    from: string,
  ): GuessOutcome | undefined {
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
          tellLockout(lockout);
        }
        return { kind: 'miss', lockedOut, alarm, decision: JSON.parse(a ?? '') as Decision };
      }
      default:
        throw new Error('unexpected reply from the PIN step');
    }
  }

  /**
   * The lockout is decided and recorded in the guess script; a retried webhook takes the decided
   * path and never comes back here. So the event is told in the background, a few tries, and not
   * on the caller's answer: a failing outbox must neither cost the caller an apology nor lose it quietly.
   */
  function tellLockout(lockout: Lockout): void {
    const tell = async (tries: number): Promise<void> => {
      try {
        await deps.onLockout?.(lockout);
      } catch (error) {
        if (tries <= 1) {
          log.error({ err: error, from: lockout.callerNumber }, 'could not tell the control panel of a lockout');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        await tell(tries - 1);
      }
    };
    void tell(5);
  }

  return {
    /** At the first ring: whether the number is locked out, and whether the line wants the account code. */
    async incoming(from: string, callSid: string): Promise<{ lockedOut: boolean; partitioned: boolean }> {
      const status = await readStatus(callerOf(from, callSid));
      const partitioned = status.spent + riskOfGuess(status.live, policy.pin.digits) > budget.pinOnly;
      return { lockedOut: status.lockedOut, partitioned };
    },

    /**
     * A PIN prompt's answer (lua/check-pin-step-21.lua): the step claimed, the guess checked within the
     * limits and counted, and a miss's decision recorded, in one script; a hit's owner is read in
     * the directory in the same script, and admitted when they may be put through (`admit`: the
     * tiers open now, and the caller's own queue). `pin` is undefined for
     * digits that cannot be a PIN (a miss that risks nothing); `typed` false for nothing typed
     * (not checked). Redis does nothing after `notAfter` (epoch ms, real time). Never logs
     * the digits.
     */
    async checkPinStep(guess: {
      from: string;
      callSid: string;
      step: string;
      attempt: number;
      pin: string | undefined;
      typed: boolean;
      decisions: MissDecisions;
      admit: { openTiers: readonly string[]; queue: string };
      notAfter: number;
    }): Promise<PinStep> {
      const now = clock.now();
      const minute = Math.floor(now / MINUTE_MS);
      const caller = callerOf(guess.from, guess.callSid);
      const pinHash = guess.pin === undefined ? '' : hashPin(secret, guess.pin);
      const { decisions } = guess;
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
              JSON.stringify(decisions.askPin),
              JSON.stringify(decisions.askAccountCode),
              `,${guess.admit.openTiers.join(',')},`,
              guess.admit.queue,
              guess.callSid,
              guess.from,
            ],
          ),
        6,
      );
      if (claim.kind === 'decided') return claim;
      const [outcome, a, b, c, d, e] = claim.extra;
      return { kind: 'claimed', state: claim.state, guess: outcomeOf(outcome, [a, b, c, d, e], now, guess.from) };
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
