import type { Result } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { guessBudget, guessesLeft, hitProbability, riskOfGuess } from '../pins/guess-bound.js';
import { CHECK_GUESS_FN_LUA, GUESS_STATUS_LUA, guessLimitsLua, RISK_UNIT, type GuessLimits } from '../pins/guess-scripts.js';
import { hashPin } from '../pins/pin-code.js';
import { FORGET_PIN_LUA } from '../pins/pin-scripts.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { CALL_STATE_TTL_MS, CLAIM_MS, CLAIM_STEP_FN_LUA, claimStepWith, type CallState } from './call-state.js';
import type { Decision } from './decisions.js';

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
    checkPinStep(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    guessStatus(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

// A miss that locks the number out, or spends the call's last attempt, decides the same at any step.
const LOCKED_OUT: Decision = { kind: 'locked_out' };
const TOO_MANY: Decision = { kind: 'too_many_attempts' };

/**
 * A PIN prompt's answer in one round trip: the step claimed (or its recorded decision, or
 * 'busy', exactly as CLAIM_CALL_STEP_LUA), the guess checked and counted (CHECK_GUESS_FN_LUA),
 * and for a miss the step's decision taken and recorded, all atomically: a guess is never
 * counted twice for one step, and a retried or identical webhook hears the first decision.
 * The guess is not checked when nothing was typed (check = '0') or when this step asked for the
 * account code; the caller then decides and records as after a plain claim.
 * A miss decides: locked out when this miss locked the number; too many attempts when the
 * call's failures reach the attempts allowed (one while the line alarm is on); else the prompt
 * again (the account code's, when the call typed one), whose JSON comes with the call.
 * The policy's limits are written into the script (guessLimitsLua and STEP below).
 * KEYS: the nine guess keys (CHECK_GUESS_FN_LUA), call
 * ARGV: deadline, now, hash, attemptId, bucket, oldest, callerWindowFrom, stepField, claimField,
 *       check, attempt, askPin JSON, askCode JSON
 * Returns {'late'} | {'decided', decision} | {'busy'} |
 *   {'claimed', 'miss', decision, lockedNow, this minute's failures, busier minute's} (recorded: the step
 *   is not held) | {'claimed', outcome, a, b, field, value, ...} (the step held for the caller, with the
 *   call's state), outcome 'unchecked' or a guess outcome other than a miss
 */
function checkPinStepLua(limits: GuessLimits & { attemptsPerCall: number; alarmThreshold: number }): string {
  return `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${guessLimitsLua(limits)}${CHECK_GUESS_FN_LUA}${CLAIM_STEP_FN_LUA}
local STEP = {claimMs = ${String(CLAIM_MS)}, callTtlMs = '${String(CALL_STATE_TTL_MS)}', attemptsPerCall = ${String(limits.attemptsPerCall)},
  alarmThreshold = ${String(limits.alarmThreshold)}, lockedOut = '${JSON.stringify(LOCKED_OUT)}', tooMany = '${JSON.stringify(TOO_MANY)}'}
local call, attempt = KEYS[10], tonumber(ARGV[11])
local state = redis.call('HGETALL', call)
local fields = {}
for i = 1, #state, 2 do fields[state[i]] = state[i + 1] end
local taken = stepTaken(fields, ARGV[8], ARGV[9])
if taken then return taken end
-- Not decided here: the caller decides, holding the step meanwhile.
local function reply(outcome, a, b, c, d)
  holdStep(call, ARGV[9], STEP.claimMs, STEP.callTtlMs)
  local out = {'claimed', outcome, a or '', b or '', c or '', d or ''}
  for _, item in ipairs(state) do out[#out + 1] = item end
  return out
end
if ARGV[10] ~= '1' then return reply('unchecked') end
for field, value in pairs(fields) do
  -- Only a step that asked for the account code is decoded.
  if string.sub(field, 1, 5) == 'step:' and string.find(value, 'ask_account_code', 1, true) then
    local d = cjson.decode(value)
    if d.kind == 'ask_account_code' and d.attempt == attempt then return reply('unchecked') end
  end
end

local code = fields['accountCode'] or ''
local guess = checkGuess({now = ARGV[2], hash = ARGV[3], attemptId = ARGV[4], code = code, bucket = ARGV[5],
  oldest = ARGV[6], callerWindowFrom = ARGV[7]})
if guess[1] ~= 'miss' then return reply(guess[1], guess[2], guess[3]) end

-- A miss is decided here and now, so the step is never held: its decision is recorded directly.
local locked, thisMinute, busier = guess[2], guess[3], guess[4]
local allowed = STEP.attemptsPerCall
if busier >= STEP.alarmThreshold then allowed = 1 end
local failures = tonumber(fields['failures'] or '0') + 1
local decision
if locked == 1 then decision = STEP.lockedOut
elseif failures >= allowed then decision = STEP.tooMany
elseif code == '' then decision = ARGV[12]
else decision = ARGV[13] end
redis.call('HSET', call, ARGV[8], decision, 'failures', failures)
redis.call('PEXPIRE', call, STEP.callTtlMs)
return {'claimed', 'miss', decision, locked, thisMinute, busier}
`;
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
  /** `pinHash`: the PIN's HMAC, computed once for the check and the admission. */
  | { kind: 'hit'; owner: PinOwner; expiresAt: number; pinHash: string }
  /** Counted, and the step's decision (`decision`) recorded with it. */
  | { kind: 'miss'; lockedOut: boolean; alarm: boolean; decision: Decision };

/** What a miss at this step decides when the call may try again (checkPinStepLua picks one). */
export interface MissDecisions {
  askPin: Decision;
  askAccountCode: Decision;
}

export type PinStep =
  | { kind: 'decided'; decision: Decision }
  /** `guess` is undefined when it was not checked (nothing typed, or an account code asked for). */
  | { kind: 'claimed'; state: CallState; guess: GuessOutcome | undefined };

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
  redis.defineCommand('checkPinStep', {
    numberOfKeys: 10,
    lua: checkPinStepLua({
      digits: policy.pin.digits,
      // The scripts count risk in whole units; a budget is rounded down to them, as each guess's risk is rounded up.
      pinOnly: Math.floor(budget.pinOnly / RISK_UNIT),
      total: Math.floor(budget.total / RISK_UNIT),
      // The spend outlives its newest bucket by the window and two buckets more.
      spendTtlMs: budget.windowMs + 2 * bucketMs,
      callerWindowMs: HOUR_MS,
      callerLimit: policy.callers.failedPinsPerHour,
      lockoutMs: policy.callers.lockoutSeconds * 1000,
      minuteTtlMs: 3 * MINUTE_MS,
      attemptsPerCall: policy.pin.attemptsPerCall,
      alarmThreshold: threshold,
    }),
  });
  redis.defineCommand('guessStatus', { numberOfKeys: 6, lua: GUESS_STATUS_LUA });
  const indexKeys = [keys.pinsByHash, keys.pinsByOwner, keys.pinExpiry, keys.pinsLiveByCode, keys.guessSpend];
  // Under attack the spent budget is met on every call: one error line a minute is enough.
  let exhaustedLoggedAt = Number.NEGATIVE_INFINITY;

  async function readStatus(caller: string) {
    const now = clock.now();
    const [bucket, oldest] = spendBuckets(now);
    const reply = await withRedis(() => redis.guessStatus(...indexKeys, keys.callerLockout(caller), now, oldest, bucket));
    const [lockedUntil, live, spent, guesses] = Array.isArray(reply) ? (reply as unknown[]) : [];
    return { lockedOut: Number(lockedUntil || 0) > now, live: Number(live), spent: Number(spent) * RISK_UNIT, guesses: Number(guesses) };
  }

  function outcomeOf(
    outcome: string | undefined,
    [a, b, c, d]: (string | undefined)[],
    now: number,
    from: string,
    pinHash: string,
  ): GuessOutcome | undefined {
    switch (outcome) {
      case 'unchecked':
        return undefined;
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
        return { kind: 'hit', owner: { accountId, userId }, expiresAt: Number(b), pinHash };
      }
      case 'miss': {
        const thisMinute = Number(c);
        const alarm = Number(d) >= threshold;
        metrics?.lineAlarm.set(alarm ? 1 : 0);
        if (thisMinute === threshold) {
          log.error({ failuresThisMinute: thisMinute, threshold }, 'line alarm: PIN failures across the line exceed the threshold');
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
     * A PIN prompt's answer (checkPinStepLua): the step claimed, the guess checked within the
     * limits and counted, and a miss's decision recorded, in one script. `pin` is undefined for
     * digits that cannot be a PIN (a miss that risks nothing); `typed` false for nothing typed
     * (not checked). Never logs the digits.
     */
    async checkPinStep(guess: {
      from: string;
      callSid: string;
      step: string;
      attempt: number;
      pin: string | undefined;
      typed: boolean;
      decisions: MissDecisions;
    }): Promise<PinStep> {
      const now = clock.now();
      const minute = Math.floor(now / MINUTE_MS);
      const caller = callerOf(guess.from, guess.callSid);
      const pinHash = guess.pin === undefined ? '' : hashPin(secret, guess.pin);
      const { decisions } = guess;
      const claim = await claimStepWith(
        () =>
          redis.checkPinStep(
            ...indexKeys,
            keys.callerFailures(caller),
            keys.callerLockout(caller),
            keys.lineFailures(minute),
            keys.lineFailures(minute - 1),
            keys.call(guess.callSid),
            scriptDeadline(),
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
          ),
        5,
      );
      if (claim.kind === 'decided') return claim;
      const [outcome, a, b, c, d] = claim.extra;
      return { kind: 'claimed', state: claim.state, guess: outcomeOf(outcome, [a, b, c, d], now, guess.from, pinHash) };
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
