/** The SPEC's 2 s: every webhook answers by then, whatever Redis does. */
export const ANSWER_WITHIN_MS = 1800;
/** A PIN may only be used up well before the answer deadline (see src/redis/deadline.ts). */
export const PIN_USE_BUDGET_MS = 1400;
