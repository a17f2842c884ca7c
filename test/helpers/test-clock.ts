import type { Clock } from '../../src/clock.js';

/** A clock the test sets and moves; starts on a Tuesday morning in London, when every tier is open. */
export interface TestClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

export const TUESDAY_MORNING = '2027-03-02T10:00:00Z';

export function testClock(iso = TUESDAY_MORNING): TestClock {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set: (next) => {
      now = Date.parse(next);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
