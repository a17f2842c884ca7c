import type { Policy } from '../policy/policy-schema.js';

/**
 * The guessing bound, as numbers (README "The guessing bound").
 *
 * A random guess of a d-digit PIN while L PINs are live hits one with chance
 * p = L / 10^d. Guesses g1..gn miss them all with chance Π(1 − p_i) = exp(−Σ h_i)
 * where h_i = −ln(1 − p_i) is the guess's "risk". Keeping the risk spent in the
 * window at most H = −ln(1 − bound) keeps the chance of any hit at most `bound`,
 * whatever L does meanwhile. With L constant that is the familiar
 *   G ≤ ln(1 − bound) / ln(1 − L/10^d)   guesses.
 * A guess made with an account code is checked only against that code's live
 * PINs, so its risk is −ln(1 − L_code/10^d): far smaller, the same accounting.
 */

/** The risk of one random guess when `live` of the 10^digits PINs are live. */
export function riskOfGuess(live: number, digits: number): number {
  const p = live / 10 ** digits;
  return p >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-p);
}

/**
 * Guesses made with one account code may spend at most this share of the risk the account codes'
 * guesses have: a code's guesses risk only its account's PINs, and an account with hundreds of
 * live PINs makes each guess with its own code costly, so without a cap one customer could spend
 * the whole line's budget in a few dozen guesses and stop PIN checks for every caller.
 */
export const CODE_SHARE = 0.1;

/** The limits the guess gate enforces, from the policy. */
export function guessBudget(policy: Policy) {
  const total = -Math.log1p(-policy.line.guessBound);
  const pinOnly = total * (1 - policy.line.accountCodeShare);
  return {
    /** Risk PIN-only guesses may spend in the window; past it the line asks for the account code. */
    pinOnly,
    /** Risk all guesses together may spend; past it no guess is checked until the window moves on. */
    total,
    /** Risk the guesses with any one account code may spend; past it that code's guesses are not checked. */
    perCode: (total - pinOnly) * CODE_SHARE,
    windowMs: policy.line.guessWindowHours * 3_600_000,
  };
}

/** How many more PIN-only guesses fit in the budget with `live` PINs live. */
export function guessesLeft(spent: number, live: number, policy: Policy): number {
  const room = guessBudget(policy).pinOnly - spent;
  const risk = riskOfGuess(live, policy.pin.digits);
  if (room <= 0) return 0;
  return risk === 0 ? Number.POSITIVE_INFINITY : Math.floor(room / risk);
}

/** The chance that the guesses whose risk was `spent` found a live PIN. */
export const hitProbability = (spent: number): number => -Math.expm1(-spent);
