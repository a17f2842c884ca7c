/*
 * The guess gate's keys (lua/includes/check-guess.lua), under `{line}` with the PIN index they guard:
 *   guess-spend               HASH  per bucket of the window (src/policy/guess-bound.ts): "u:<bucket>" -> risk
 *                                   spent by PIN-only guesses (RISK_UNITs), "g:<bucket>" -> guesses missed;
 *                                   their sums "sum:u", "sum:g", and "floor", the newest bucket they leave out;
 *                                   "c:<code>:<bucket>" -> risk spent with that account code. An earlier
 *                                   version's "r:<bucket>" (a float) is still counted, once.
 *   caller:<number>:failures  ZSET  attempt ids scored by time (the number's sliding window)
 *   caller:<number>:lockout   STRING locked until (ms)
 *   line-failures:<minute>    STRING failed guesses that minute (the line alarm)
 */

/** Risk is counted in whole units so the counts are integers: exact, and cheaper for Redis than floats. */
export const RISK_UNIT = 1e-14;

/** The policy's limits for checkGuess, in RISK_UNITs where they are risk (src/policy/guess-bound.ts). */
type GuessLimits = Record<
  'digits' | 'pinOnly' | 'perCode' | 'atCap' | 'spendTtlMs' | 'callerWindowMs' | 'callerLimit' | 'lockoutMs'
  | 'minuteTtlMs',
  number
>;

/**
 * The script's LIMITS table, written into the script rather than sent with every guess (each
 * argument costs Redis a conversion). Numbers only passed on to Redis are written as strings.
 */
export function guessLimitsTable(limits: GuessLimits): Record<string, string | number> {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value)) throw new Error(`a guess limit must be a whole number, not ${name} = ${String(value)}`);
  }
  const { spendTtlMs, callerWindowMs, minuteTtlMs } = limits;
  return { ...limits, spendTtlMs: String(spendTtlMs), callerWindowMs: String(callerWindowMs), minuteTtlMs: String(minuteTtlMs) };
}
