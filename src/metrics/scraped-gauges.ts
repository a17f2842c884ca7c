import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges read at scrape time: those of one scrape (collected at once) share one read, and while
 * it fails (Redis down) the last known values stay, so a scrape still answers. Returns `gauge()`.
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
