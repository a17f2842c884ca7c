import { Gauge } from 'prom-client';
import type { GuessStanding } from '../policy/guess-bound.js';
import type { Metrics } from '../metrics/metrics.js';
import { scrapedGauges } from '../metrics/scraped-gauges.js';

/** The guessing bound as it stands (docs/security.md); one read per scrape, the last values kept if Redis is down. */
export function addGuessBoundGauges(metrics: Metrics, standing: () => Promise<GuessStanding>, bound: number): void {
  new Gauge({ name: 'callgate_guess_bound', help: 'The stated bound: the chance random guessing may find a live PIN in the window', registers: [metrics.registry] }).set(bound);
  const gauge = scrapedGauges(metrics.registry, standing, { livePins: 0, guesses: 0, probability: 0, guessesLeft: 0 });
  gauge('callgate_guess_window_guesses', 'Wrong PINs entered across the line in the guessing window', (s) => s.guesses);
  gauge(
    'callgate_guess_window_hit_probability',
    'The chance that the PIN-only guesses made in the window found a live PIN, had they been random (held below callgate_guess_bound)',
    (s) => s.probability,
  );
  gauge(
    'callgate_guess_budget_left',
    'PIN-only guesses left at the current live PIN count before the line also asks for the account code (+Inf with no live PIN)',
    (s) => s.guessesLeft,
  );
}
