import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GuessStanding } from '../policy/guess-bound.js';
import { scrapedGauges } from './scraped-gauges.js';

/** callgate's Prometheus metrics (SPEC section 8), in a registry per app so apps in one process do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string = never>(name: string, labelNames: L[], help: string) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });

  return {
    registry,
    webhookDuration: new Histogram({
      name: 'callgate_webhook_duration_seconds',
      help: 'Time to answer a Twilio webhook, by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    }),
    callEvents: counter('callgate_call_events_total', ['type', 'reason'],
      'Call steps by type (rejected, enqueued, connected, abandoned, timed_out, completed, ...) and reason'),
    pinChecks: counter('callgate_pin_checks_total', ['result'], 'PIN attempts on the phone, by result'),
    queueWait: new Histogram({
      name: 'callgate_queue_wait_seconds',
      help: 'How long callers waited in the queue before being connected, giving up or timing out',
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200],
      registers,
    }),
    pagingAttempts: counter('callgate_paging_attempts_total', ['result'],
      'Pages placed to sysadmins through the Twilio REST API, by result'),
    rotaEmpty: gauge('callgate_rota_empty',
      '1 while verified callers wait on an open line and nobody is on call (alert on it)'),
    sysadminsBusyWithoutNews: gauge('callgate_sysadmins_busy_without_news',
      'Sysadmins held busy by a call that has sent no webhook for longer than policy ' +
        'oncall.busyWithoutNewsAlarmMinutes (a long conversation, or lost reports: alert on it)'),
    redisErrors: counter('callgate_redis_errors_total', ['kind'],
      'Redis failures: connection errors, and requests answered unavailable'),
    lineAlarm: gauge('callgate_line_alarm', '1 while failed PINs across the whole line exceed the alarm threshold'),
    oncallPinFailures: counter('callgate_oncall_pin_failures_total', ['burst'],
      "Wrong on-call PINs typed on sysadmins' verification calls; " +
        "burst=yes once a sysadmin's window holds the alarm threshold or more (alert on it)"),
    rotaSourceFailing: gauge('callgate_rota_source_failing',
      'Rota from PagerDuty or Opsgenie (ROTA_SOURCE): 1 while its last read failed and the last good rota stays ' +
        '(alert on it)'),
    rotaSyncs: counter('callgate_rota_syncs_total', ['source', 'result'],
      'Reads of the rota from its source, by source and result: changed (the rota was written), unchanged, unreadable'),
    phoneInCalls: counter('callgate_phone_in_calls_total', ['result'],
      'Calls from rota numbers, by what callgate did: ' +
        'placed a call back to the registered phone, one already rang, or placing failed'),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Live PINs, and the chance that one random guess hits one of them (SPEC section 6). */
export function addPinRiskGauges(metrics: Metrics, countLivePins: () => Promise<number>, digits: number): void {
  const gauge = scrapedGauges(metrics.registry, countLivePins, 0);
  gauge('callgate_live_pins', 'PINs issued and not yet used, revoked or expired', (live) => live);
  gauge('callgate_random_guess_hit_probability', 'The chance that one random guess of a full-length PIN matches a live PIN', (live) => live / 10 ** digits);
}

/** The guessing bound as it stands (docs/security.md); one read per scrape, the last values kept if Redis is down. */
export function addGuessBoundGauges(metrics: Metrics, standing: () => Promise<GuessStanding>, bound: number): void {
  new Gauge({
    name: 'callgate_guess_bound',
    help: 'The stated bound: the chance random guessing may find a live PIN in the window',
    registers: [metrics.registry],
  }).set(bound);
  const gauge = scrapedGauges(metrics.registry, standing, { livePins: 0, guesses: 0, probability: 0, guessesLeft: 0 });
  gauge('callgate_guess_window_guesses', 'Wrong PINs entered across the line in the guessing window', (s) => s.guesses);
  gauge(
    'callgate_guess_window_hit_probability',
    'The chance that the PIN-only guesses made in the window found a live PIN, had they been random ' +
      '(held below callgate_guess_bound)',
    (s) => s.probability,
  );
  gauge(
    'callgate_guess_budget_left',
    'PIN-only guesses left at the current live PIN count before the line also asks for the account code ' +
      '(+Inf with no live PIN)',
    (s) => s.guessesLeft,
  );
}
