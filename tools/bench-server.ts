import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { runPagerEvery } from '../src/oncall/pager-timer.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { DEMO_POLICY } from './demo-line.js';

/**
 * The service as `npm run bench` runs it, in its own process: the real app,
 * plus a count of Redis round trips and commands sent per webhook (the PIN
 * webhook and the wait URL, each on its own). A round trip starts when a
 * request sends a command while none of its commands is in flight; commands
 * sent together (in parallel) share one.
 */
interface Trips {
  inFlight: number;
  trips: number;
  /** The name of each command the request sent before its answer (a script is one: evalsha). */
  commands: string[];
}
const perRequest = new AsyncLocalStorage<Trips>();
// The webhooks counted, by path: each one's round trips and the commands it sent.
const COUNTED_PATHS = ['/twilio/pin', '/twilio/wait'];
const counted = new Map<string, Trips[]>();
let counting = false;

/** Counts a command issued from a request's own code, and when its reply settles. */
function track<T>(name: string, promise: Promise<T>): Promise<T> {
  const trips = perRequest.getStore();
  if (trips === undefined) return promise;
  if (trips.inFlight === 0) trips.trips += 1;
  trips.inFlight += 1;
  trips.commands.push(name);
  const settled = () => {
    trips.inFlight -= 1;
  };
  promise.then(settled, settled);
  return promise;
}

/** What the counted webhooks of one path cost: round trips (mean, max) and commands sent, by name, per webhook. */
function countedOn(path: string) {
  const all = counted.get(path) ?? [];
  const webhooks = Math.max(1, all.length);
  const byName: Record<string, number> = {};
  for (const trips of all) for (const name of trips.commands) byName[name] = (byName[name] ?? 0) + 1 / webhooks;
  return {
    webhooks: all.length,
    mean: all.reduce((sum, trips) => sum + trips.trips, 0) / webhooks,
    max: Math.max(0, ...all.map((trips) => trips.trips)),
    commands: all.reduce((sum, trips) => sum + trips.commands.length, 0) / webhooks,
    byName,
  };
}

// Every command, script and pipelined command passes through Redis#sendCommand, in the caller's
// context; a pipeline's commands are sent together, so they share the round trip its first one starts.
const require = createRequire(import.meta.url);
const redisModule = require('ioredis/built/Redis.js') as {
  default: { prototype: { sendCommand: (command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]) => unknown } };
};
const sendCommand = redisModule.default.prototype.sendCommand;
redisModule.default.prototype.sendCommand = function (this: unknown, command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]) {
  void track(command.name, command.promise);
  return sendCommand.call(this, command, ...rest);
};

const config = loadConfig(process.env);
/**
 * BENCH_LINE=account-code: the same service with the policy's own guess bound (and the account
 * cap it requires), which finds the line's PIN-only allowance spent by the bench's wrong PINs and
 * asks every caller for the account code first: the mode a flood of wrong PINs switches the line to.
 * The bench runs it beside the PIN-only one, on the same Redis, for the outage's account-code mode.
 */
const accountCodeMode = process.env.BENCH_LINE === 'account-code';
// The bench measures the PIN step itself: limits that would turn the load away are set out of reach.
const policy = parsePolicy({
  ...DEMO_POLICY,
  callers: { failedPinsPerHour: 1_000_000, lockoutSeconds: 60 },
  // The guess bound's budget would soon ask every caller for the account code: out of reach too
  // (PIN-only), or the policy's own (account-code mode).
  line: accountCodeMode ? { alarmFailuresPerMinute: 1_000_000 } : { alarmFailuresPerMinute: 1_000_000, guessBound: 0.999 },
  // All the bench's PINs are issued in one account: its cap on live PINs (50 by default) is out of reach too,
  // except where the policy's own guess bound needs it (the account-code mode issues no PINs).
  pin: { digits: 8, ttlSeconds: 3600, attemptsPerCall: 3, issuesPerUserPerHour: 1000, livePerAccount: accountCodeMode ? 50 : 100_000 },
});
const log = createLogger({ level: 'error' });
const redis = connectRedis(config.redis, log);
const { app, pager } = createApp({ config, policy, log, redis, clock: systemClock });
// The pager ticks each second, as in main.ts, so its idle cost is part of what is measured (one
// pager for the line: the account-code service beside it runs none).
if (!accountCodeMode) runPagerEvery(pager, 1000);

// BENCH_PROFILE=dir: the bench brackets its measured load with these, so the profile shows only the webhooks.
const profiler = new Session();
profiler.connect();
const profileDir = process.env.BENCH_PROFILE;

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

/**
 * The service's own time (ms, from the request's arrival to its answer's last byte handed to
 * the socket) for requests marked `X-Bench-Timed` (the outage's legitimate caller): latency
 * without the load generator's own stalls. Read and cleared by GET /bench/timed.
 */
let timed: number[] = [];

const server = createServer((req, res) => {
  if (req.headers['x-bench-timed'] !== undefined) {
    const arrived = performance.now();
    res.once('finish', () => timed.push(performance.now() - arrived));
  }
  if (req.url === '/bench/timed') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(timed));
    timed = [];
    return;
  }
  if (req.url === '/bench/profile/start' && profileDir !== undefined) {
    profiler.post('Profiler.enable', () => {
      profiler.post('Profiler.start', () => res.end());
    });
    return;
  }
  if (req.url?.startsWith('/bench/profile/stop?phase=') === true && profileDir !== undefined) {
    const phase = req.url.slice('/bench/profile/stop?phase='.length).replace(/[^a-z-]/g, '');
    profiler.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(profileDir, `service-${phase}.cpuprofile`), JSON.stringify(result.profile));
      res.end();
    });
    return;
  }
  if (req.url === '/bench/loop-delay') {
    // The longest the event loop was held up since the last ask (ms): a stall (GC, or the process
    // kept off the CPU by others) shows here as well as in the latencies the bench measures.
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ maxMs: loopDelay.max / 1e6 }));
    loopDelay.reset();
    return;
  }
  if (req.url === '/bench/count-round-trips') {
    // Counting uses AsyncLocalStorage, which slows every promise: it is switched on only for the
    // one-at-a-time run, after throughput and latency were measured without it. Each count starts afresh.
    counting = true;
    counted.clear();
    res.end();
    return;
  }
  if (req.url === '/bench/stop-counting') {
    // Off again, hooks and all, so that the load measured after a count runs as it would in production.
    counting = false;
    perRequest.disable();
    res.end();
    return;
  }
  if (req.url?.startsWith('/bench/round-trips') === true) {
    // ?path=/twilio/wait; the PIN webhook's by default.
    const path = new URL(req.url, 'http://bench').searchParams.get('path') ?? '/twilio/pin';
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(countedOn(path)));
    return;
  }
  const path = COUNTED_PATHS.find((counted) => req.url?.startsWith(counted) === true);
  if (!counting || path === undefined) {
    app(req, res);
    return;
  }
  // Counted until the answer is written: bookkeeping after it does not keep the caller waiting.
  const trips: Trips = { inFlight: 0, trips: 0, commands: [] };
  const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
  res.end = ((...args: unknown[]) => {
    const onPath = counted.get(path) ?? [];
    onPath.push({ ...trips, commands: [...trips.commands] });
    counted.set(path, onPath);
    return end(...args);
  }) as typeof res.end;
  perRequest.run(trips, () => {
    app(req, res);
  });
});
server.listen(config.port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
