/*
 * The guess gate (lua/includes/check-guess.lua) keeps its keys under `{line}` with the index
 * they guard (pin-store.ts):
 *   guess-spend               HASH  per bucket of the window (src/policy/guess-bound.ts):
 *                                   "u:<bucket>" -> risk spent by PIN-only guesses, in whole RISK_UNITs,
 *                                   "g:<bucket>" -> guesses missed (all kinds); and their sums over the
 *                                   window, "sum:u" and "sum:g", with "floor", the newest bucket the sums
 *                                   leave out. Spend kept by an earlier version as "r:<bucket>" (a float)
 *                                   is still counted, once. "c:<account code>:<bucket>" -> the risk spent
 *                                   by guesses with that code: its own allowance, nobody else's.
 *   caller:<number>:failures  ZSET  attempt ids scored by time (the number's sliding window)
 *   caller:<number>:lockout   STRING locked until (ms)
 *   line-failures:<minute>    STRING failed guesses that minute (the line alarm)
 */

/**
 * Risk is counted in whole units of 1e-14, each guess's rounded up and the budgets rounded down
 * (src/policy/guess-bound.ts), so that the counts are integers (HINCRBY-exact up to 2^53 units, far above
 * any budget) instead of floats whose formatting was the dearest step of a wrong PIN.
 */
export const RISK_UNIT = 1e-14;

/** The policy's limits for checkGuess (the script's LIMITS table), in the units it counts in. */
export interface GuessLimits {
  digits: number;
  /** Risk (RISK_UNITs) PIN-only guesses may spend in the window. */
  pinOnly: number;
  /** Risk (RISK_UNITs) the guesses with any one account code may spend in the window. */
  perCode: number;
  /** Risk (RISK_UNITs, rounded up) of a guess with a code whose account holds as many live PINs as it may. */
  atCap: number;
  spendTtlMs: number;
  callerWindowMs: number;
  callerLimit: number;
  lockoutMs: number;
  minuteTtlMs: number;
}

/**
 * The limits as the script's LIMITS table, written into the script rather than sent with every
 * guess: a script argument costs Redis about a thousand instructions and each number read from
 * one another string-to-number conversion; the policy is fixed while the process runs. Numbers
 * only passed on to Redis are written as strings, so Redis does not format them each time.
 */
export function guessLimitsTable(limits: GuessLimits): Record<string, string | number> {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value)) throw new Error(`a guess limit must be a whole number, not ${name} = ${String(value)}`);
  }
  const { spendTtlMs, callerWindowMs, minuteTtlMs } = limits;
  return { ...limits, spendTtlMs: String(spendTtlMs), callerWindowMs: String(callerWindowMs), minuteTtlMs: String(minuteTtlMs) };
}
