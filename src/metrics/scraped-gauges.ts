import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges read at scrape time (from Redis, so every instance reports the same line-wide values):
 * the gauges of one scrape, which prom-client collects at once, share one read; while the read
 * fails (Redis down) the last known values stay, so a scrape still answers.
 * Returns the function that adds one gauge: its name, help, and its value in what was read.
 */
export function scrapedGauges<S>(registry: Registry, read: () => Promise<S>, initial: S) {
  let known = initial;
  let reading: Promise<S> | undefined;
  const shared = (): Promise<S> => {
    reading ??= read()
      .then(
        (value) => (known = value),
        () => known,
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return (name: string, help: string, value: (state: S) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(value(await shared()));
      },
    });
  };
}
