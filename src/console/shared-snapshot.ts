import { performance } from 'node:perf_hooks';

/**
 * One value shared by every viewer: rebuilt at most once per `maxAgeMs`, and only when someone
 * asks, so the Redis reads behind it depend on time, not on how many browsers are watching.
 * Requests that arrive while a rebuild runs wait for that rebuild rather than starting another.
 * A failed rebuild is not kept: the next request tries again.
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
