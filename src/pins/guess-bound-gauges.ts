import { Gauge } from 'prom-client';
import type { GuessStanding } from '../policy/guess-bound.js';
import type { Metrics } from '../metrics/metrics.js';
import { scrapedGauges } from '../metrics/scraped-gauges.js';

/**
 * The day's guessing bound as it stands (SPEC section 6, docs/security.md "The guessing bound"):
 * the bound itself, the guesses missed in the window, the chance the PIN-only ones found a
 * live PIN, and how many PIN-only guesses are left before the line asks for the account code.
 * One read per scrape; while Redis is down the last known values stay.
 */
export function addGuessBoundGauges(metrics: Metrics, standing: () => Promise<GuessStanding>, bound: number): void {
  new Gauge({ name: 'callgate_guess_bound', help: 'The stated bound: the chance random guessing may find a live PIN in the window', registers: [metrics.registry] }).set(bound);
  const gauge = scrapedGauges(metrics.registry, standing, { livePins: 0, guesses: 0, probability: 0, guessesLeft: 0 });
  gauge('callgate_guess_window_guesses', 'Wrong PINs entered across the line in the guessing window', (s) => s.guesses);
  gauge(
    'callgate_guess_window_hit_probability',
    'The chance that the PIN-only guesses made in the window found a live PIN, had they been random (held below callgate_guess_bound)',
    (s) => s.probability,
  );
  // +Inf while no PIN is live: no guess can hit.
  gauge(
    'callgate_guess_budget_left',
    'PIN-only guesses left at the current live PIN count before the line also asks for the account code (+Inf with no live PIN)',
    (s) => s.guessesLeft,
  );
}
