/** Where "now" comes from, so hours, TTLs and clock changes are testable at chosen instants. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
