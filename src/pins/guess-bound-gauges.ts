import { Gauge } from 'prom-client';
import type { GuessStanding } from '../policy/guess-bound.js';
import type { Metrics } from '../metrics/metrics.js';

/**
 * The day's guessing bound as it stands (SPEC section 6, docs/security.md "The guessing bound"):
 * the bound itself, the guesses missed in the window, the chance the PIN-only ones found a
 * live PIN, and how many PIN-only guesses are left before the line asks for the account code.
 * One read per scrape; while Redis is down the last known values stay.
 */
export function addGuessBoundGauges(metrics: Metrics, standing: () => Promise<GuessStanding>, bound: number): void {
  const registers = [metrics.registry];
  let known: GuessStanding = { livePins: 0, guesses: 0, probability: 0, guessesLeft: 0 };
  let readAt = 0;
  let reading: Promise<GuessStanding> | undefined;
  // prom-client collects the gauges of one scrape at once: they share one read (and its result for 500 ms).
  const read = (): Promise<GuessStanding> => {
    if (Date.now() - readAt <= 500) return Promise.resolve(known);
    reading ??= standing()
      .catch(() => known)
      .then((value) => {
        known = value;
        readAt = Date.now();
        return value;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  new Gauge({ name: 'callgate_guess_bound', help: 'The stated bound: the chance random guessing may find a live PIN in the window', registers }).set(bound);
  new Gauge({
    name: 'callgate_guess_window_guesses',
    help: 'Wrong PINs entered across the line in the guessing window',
    registers,
    async collect() {
      this.set((await read()).guesses);
    },
  });
  new Gauge({
    name: 'callgate_guess_window_hit_probability',
    help: 'The chance that the PIN-only guesses made in the window found a live PIN, had they been random (held below callgate_guess_bound)',
    registers,
    async collect() {
      this.set((await read()).probability);
    },
  });
  new Gauge({
    name: 'callgate_guess_budget_left',
    help: 'PIN-only guesses left at the current live PIN count before the line also asks for the account code (+Inf with no live PIN)',
    registers,
    async collect() {
      // +Inf while no PIN is live: no guess can hit.
      this.set((await read()).guessesLeft);
    },
  });
}
