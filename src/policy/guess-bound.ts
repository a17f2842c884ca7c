// The guessing bound as numbers; the reasoning is docs/security.md "The guessing bound". A guess's
// risk is −ln(1 − L/10^d); keeping the window's spend under H = −ln(1 − bound) keeps a hit under `bound`.

/** The policy's settings the bound is made of (a shape of its own: the policy's schema checks it). */
export interface GuessPolicy {
  line: { guessBound: number; accountCodeShare: number; guessWindowHours: number };
  pin: { digits: number; livePerAccount: number };
}

/** The risk of one random guess when `live` of the 10^digits PINs are live. */
export function riskOfGuess(live: number, digits: number): number {
  const p = live / 10 ** digits;
  return p >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-p);
}

// Codes an account may hold in one guess window: its code and one replacement. A third would let
// someone who learns every new code go past the bound.
export const CODES_PER_WINDOW = 2;

/** The allowances the guess gate enforces, from the policy. */
export function guessBudget(policy: GuessPolicy) {
  const bound = -Math.log1p(-policy.line.guessBound);
  return {
    /** Risk PIN-only guesses may spend in the window; past it the line asks for the account code. */
    pinOnly: bound * (1 - policy.line.accountCodeShare),
    /** Risk the guesses with any one account code may spend in the window; the code is retired before. */
    perCode: (bound * policy.line.accountCodeShare) / CODES_PER_WINDOW,
    /** The risk of a guess with a code whose account holds as many live PINs as it may. */
    atCap: riskOfGuess(policy.pin.livePerAccount, policy.pin.digits),
    windowMs: policy.line.guessWindowHours * 3_600_000,
  };
}

/** How many wrong guesses with its code retire the code of an account at the cap. */
export function guessesToRetireAtCap(policy: GuessPolicy): number {
  const { perCode, atCap } = guessBudget(policy);
  return Math.floor(perCode / atCap);
}
// A code is not given up for a handful of wrong guesses: the policy must allow at least this many.
export const MIN_GUESSES_TO_RETIRE = 10;

/** How many more PIN-only guesses fit in the budget with `live` PINs live. */
export function guessesLeft(spent: number, live: number, policy: GuessPolicy): number {
  const room = guessBudget(policy).pinOnly - spent;
  // No PIN live: a risk of 0, and room / 0 is Infinity.
  return room <= 0 ? 0 : Math.floor(room / riskOfGuess(live, policy.pin.digits));
}

/** The chance that the guesses whose risk was `spent` found a live PIN. */
export const hitProbability = (spent: number): number => -Math.expm1(-spent);

/** Where the day's bound stands: for /metrics and the console. */
export interface GuessStanding {
  livePins: number;
  guesses: number;
  /** The chance that the PIN-only guesses missed in the window found a live PIN, had they been random. */
  probability: number;
  /** PIN-only guesses left at today's live count before the line asks for the account code. */
  guessesLeft: number;
}
