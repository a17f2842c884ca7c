import { performance } from 'node:perf_hooks';

/**
 * One value for every viewer, rebuilt when asked at most once per `maxAgeMs` (and once at a time),
 * so Redis reads depend on time, not on how many watch. A failed rebuild is not kept.
 */
export function sharedSnapshot<T>(build: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
  let latest: { value: T; builtAt: number } | undefined;
  let building: Promise<T> | undefined;

  return () => {
    if (latest !== undefined && performance.now() - latest.builtAt < maxAgeMs) return Promise.resolve(latest.value);
    building ??= build()
      .then((value) => {
        latest = { value, builtAt: performance.now() };
        return value;
      })
      .finally(() => {
        building = undefined;
      });
    return building;
  };
}
