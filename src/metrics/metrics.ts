import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { scrapedGauges } from './scraped-gauges.js';

/**
 * callgate's Prometheus metrics, SPEC section 8, in a registry of their own
 * (one per app, so several apps in one process do not collide).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    webhookDuration: new Histogram({
      name: 'callgate_webhook_duration_seconds',
      help: 'Time to answer a Twilio webhook, by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    }),
    callEvents: new Counter({
      name: 'callgate_call_events_total',
      help: 'Call steps by type (rejected, enqueued, connected, abandoned, timed_out, completed, ...) and reason',
      labelNames: ['type', 'reason'],
      registers,
    }),
    pinChecks: new Counter({
      name: 'callgate_pin_checks_total',
      help: 'PIN attempts on the phone, by result',
      labelNames: ['result'],
      registers,
    }),
    queueWait: new Histogram({
      name: 'callgate_queue_wait_seconds',
      help: 'How long callers waited in the queue before being connected, giving up or timing out',
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200],
      registers,
    }),
    pagingAttempts: new Counter({
      name: 'callgate_paging_attempts_total',
      help: 'Pages placed to sysadmins through the Twilio REST API, by result',
      labelNames: ['result'],
      registers,
    }),
    rotaEmpty: new Gauge({
      name: 'callgate_rota_empty',
      help: '1 while verified callers wait on an open line and nobody is on call (alert on it)',
      registers,
    }),
    sysadminsBusyWithoutNews: new Gauge({
      name: 'callgate_sysadmins_busy_without_news',
      help: "Sysadmins held busy by a call that has sent no webhook for longer than policy oncall.busyWithoutNewsAlarmMinutes (a long conversation, or lost reports: alert on it)",
      registers,
    }),
    redisErrors: new Counter({
      name: 'callgate_redis_errors_total',
      help: 'Redis failures: connection errors, and requests answered unavailable',
      labelNames: ['kind'],
      registers,
    }),
    lineAlarm: new Gauge({
      name: 'callgate_line_alarm',
      help: '1 while failed PINs across the whole line exceed the alarm threshold',
      registers,
    }),
    oncallPinFailures: new Counter({
      name: 'callgate_oncall_pin_failures_total',
      help: "Wrong on-call PINs typed on sysadmins' verification calls; burst=yes once a sysadmin's window holds the alarm threshold or more (alert on it)",
      labelNames: ['burst'],
      registers,
    }),
    rotaSourceFailing: new Gauge({
      name: 'callgate_rota_source_failing',
      help: 'Rota from PagerDuty or Opsgenie (ROTA_SOURCE): 1 while its last read failed and the last good rota stays (alert on it)',
      registers,
    }),
    rotaSyncs: new Counter({
      name: 'callgate_rota_syncs_total',
      help: 'Reads of the rota from its source, by source and result: changed (the rota was written), unchanged, unreadable',
      labelNames: ['source', 'result'],
      registers,
    }),
    phoneInCalls: new Counter({
      name: 'callgate_phone_in_calls_total',
      help: 'Calls from rota numbers, by what callgate did: placed a call back to the registered phone, one already rang, or placing failed',
      labelNames: ['result'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Live PINs, and the chance that one random guess hits one of them (SPEC section 6).
 * While Redis is down the last known value stays, so a scrape still works then.
 */
export function addPinRiskGauges(metrics: Metrics, countLivePins: () => Promise<number>, digits: number): void {
  const gauge = scrapedGauges(metrics.registry, countLivePins, 0);
  gauge('callgate_live_pins', 'PINs issued and not yet used, revoked or expired', (live) => live);
  gauge('callgate_random_guess_hit_probability', 'The chance that one random guess of a full-length PIN matches a live PIN', (live) => live / 10 ** digits);
}
