/**
 * The simulator's clock: virtual seconds run `speed` times faster than real
 * ones, so a ten-minute queue wait takes seconds of test time. HTTP timeouts
 * stay in real time, since the servers on the other end are real.
 */
export interface VirtualClock {
  /** Virtual seconds since the simulator started. */
  now(): number;
  /** Resolves after `seconds` virtual seconds; never for Infinity. */
  sleep(seconds: number): Promise<void>;
}

export function virtualClock(speed: number): VirtualClock {
  const started = Date.now();
  return {
    now: () => ((Date.now() - started) * speed) / 1000,
    sleep: (seconds) =>
      Number.isFinite(seconds)
        ? new Promise((resolve) => setTimeout(resolve, Math.max(0, (seconds * 1000) / speed)))
        : new Promise(() => undefined),
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  settled: () => boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let done = false;
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = (value) => {
      done = true;
      settle(value);
    };
  });
  return { promise, resolve: (value) => { resolve(value); }, settled: () => done };
}
