import { Gauge } from 'prom-client';
import type { GuessStanding } from '../calls/abuse-limits.js';
import type { Metrics } from '../metrics/metrics.js';

/**
 * The day's guessing bound as it stands (SPEC section 6, README "The guessing bound"):
 * the bound itself, the guesses missed in the window, the chance they found a live PIN,
 * and how many PIN-only guesses are left before the line asks for the account code.
 * One read per scrape; while Redis is down the last known values stay.
 */
export function addGuessBoundGauges(metrics: Metrics, standing: () => Promise<GuessStanding>, bound: number): void {
  const registers = [metrics.registry];
  let known: GuessStanding = { livePins: 0, guesses: 0, probability: 0, guessesLeft: 0 };
  let readAt = 0;
  // The four gauges are collected one after another in one scrape: read Redis once for them.
  const read = async (): Promise<GuessStanding> => {
    if (Date.now() - readAt > 500) {
      known = await standing().catch(() => known);
      readAt = Date.now();
    }
    return known;
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
    help: 'The chance that the guesses made in the window found a live PIN, had they been random (held below callgate_guess_bound)',
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
