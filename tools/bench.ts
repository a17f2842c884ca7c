import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { systemClock } from '../src/clock.js';
import { createPinStore } from '../src/pins/pin-store.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { createLogger } from '../src/logger.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { DEMO_POLICY } from './demo-line.js';
import { answers, load, loadSide, percentile, sender, underLoad, type Req } from './bench-load.js';
import { measureOutage } from './bench-outage.js';
import { outageTables } from './bench-outage-table.js';
import { cpuSeconds, everySysadminBusy, idleCost, parkQueue, QUEUE_KEYS, redisPid, seedWaitingCallers, unparkQueue } from './bench-queue.js';
import { freePort, startPrivateRedis } from './private-redis.js';

/**
 * `npm run bench`, SPEC section 10: the full PIN webhook (signed request,
 * validation, Redis, TwiML) against a baseline (a minimal express handler
 * doing one Redis GET), same machine, same Redis, same load; then the mass
 * outage of issue 24 (tools/bench-outage.ts: the wait URL with 0, 1,000 and 10,000
 * on hold, and what a waiting caller costs in Redis). Prints what it measured;
 * the targets are printed beside, not asserted.
 */

const CONCURRENCY = 64;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const SEQUENTIAL = 2_000;
// The load is sent in this many blocks, taking turns between the service and the baseline.
const LOAD_BLOCKS = 10;
const SEQUENTIAL_VALID = 500;
const VALID_SHARE = 0.2;
const MEMORY_PINS = 100_000;
// Callers already waiting while the PIN webhook is measured again, and the pager idles.
// BENCH_QUICK=1 measures the webhook against the baseline only (no queue sizes, no memory): for profiling changes.
const QUICK = process.env.BENCH_QUICK !== undefined;
const QUEUE_SIZES = QUICK ? [] : [0, 1_000, 10_000];
const QUEUE_REQUESTS = Number(process.env.BENCH_QUEUE_REQUESTS ?? 5_000);
const IDLE_SECONDS = 10;
// The outage's legitimate caller rings from an account of this many users (one live PIN each, under the account cap of 50).
const LEGIT_USERS = 40;
// Blocks of requests taking turns between 10,000 callers waiting and none.
const QUEUE_ROUNDS = 20;
const QUEUE_BLOCK = 500;

const secrets = {
  authToken: randomBytes(16).toString('hex'),
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  controlPanelKey: `cp-${randomBytes(12).toString('hex')}`,
  pinSecret: randomBytes(32).toString('hex'),
  opsKey: `ops-${randomBytes(12).toString('hex')}`,
};

function start(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function until(url: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/**
 * One request at a time, in blocks of BLOCK taking turns between the service and the baseline,
 * so that both medians come from the same seconds: this machine's speed drifts by half between
 * runs a minute apart, which made the ratio of two runs one after the other mostly noise.
 */
const BLOCK = 100;
async function takingTurns(service: { port: number; requests: Req[] }, baseline: { port: number; request: Req }) {
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })] as const;
  const [sendService, sendBaseline] = [sender(service.port, agents[0]), sender(baseline.port, agents[1])];
  const latencies = { service: [] as number[], baseline: [] as number[] };
  for (let from = 0; from < service.requests.length; from += BLOCK) {
    const block = service.requests.slice(from, from + BLOCK);
    for (const req of block) latencies.service.push(await sendService(req));
    for (let i = 0; i < block.length; i += 1) latencies.baseline.push(await sendBaseline(baseline.request));
  }
  for (const agent of agents) agent.destroy();
  return latencies;
}

async function main(): Promise<void> {
  const privateRedis = process.env.REDIS_URL ? undefined : await startPrivateRedis();
  const redisUrl = process.env.REDIS_URL ?? privateRedis?.url ?? '';
  const redis = new Redis(redisUrl);
  const [servicePort, baselinePort, accountCodePort] = [await freePort(), await freePort(), await freePort()];
  const publicBaseUrl = `http://127.0.0.1:${String(servicePort)}`;
  const serviceEnv = (port: number) => ({
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${String(port)}`,
    REDIS_URL: redisUrl,
    TWILIO_ACCOUNT_SID: secrets.accountSid,
    TWILIO_AUTH_TOKEN: secrets.authToken,
    TWILIO_API_URL: 'http://127.0.0.1:9',
    SUPPORT_PHONE_NUMBER: '+442070000000',
    CONTROL_PANEL_API_KEYS: secrets.controlPanelKey,
    OPS_API_KEYS: secrets.opsKey,
    PIN_SECRET: secrets.pinSecret,
    LOG_LEVEL: 'error',
  });
  const service = start('tools/bench-server.ts', {
    ...serviceEnv(servicePort),
    ...(process.env.BENCH_PROFILE === undefined ? {} : { BENCH_PROFILE: process.env.BENCH_PROFILE }),
  });
  // The outage's account-code mode: the same service, the policy's own guess bound, beside it on the same Redis.
  const accountCodeService = QUICK ? undefined : start('tools/bench-server.ts', { ...serviceEnv(accountCodePort), BENCH_LINE: 'account-code' });
  const accountCodeBaseUrl = `http://127.0.0.1:${String(accountCodePort)}`;
  const baseline = start('tools/bench-baseline.ts', { PORT: String(baselinePort), REDIS_URL: redisUrl });
  try {
    await until(`${publicBaseUrl}/healthz`);
    if (accountCodeService !== undefined) await until(`${accountCodeBaseUrl}/healthz`);
    await until(`http://127.0.0.1:${String(baselinePort)}/`);
    await redis.set('bench:baseline', 'x'.repeat(32));
    // Someone on call, but busy: held callers wait, and the pager (ticking as in main.ts) has nobody to page.
    await fetch(`${publicBaseUrl}/v1/oncall`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${secrets.opsKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ id: 'sam', name: 'Sam Sysadmin', phone: '+447700900999' }]),
    });
    await everySysadminBusy(redis, 'sam');

    // Valid PINs for a fifth of the calls, issued through the API as the control panel would.
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${publicBaseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secrets.controlPanelKey}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    await api('PUT', '/v1/accounts/bench', { name: 'Bench Ltd', sla: 'managed_platform' });
    let users = 0;
    // Eight at a time: the outage admits 10,000 callers, each with a PIN of their own.
    const issuePins = async (count: number): Promise<string[]> => {
      const pins: string[] = [];
      let claimed = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (claimed < count) {
            claimed += 1;
            const user = `u${String((users += 1))}`;
            await api('PUT', `/v1/accounts/bench/users/${user}`, { name: `User ${user}`, permissions: ['manage_support'] });
            const issued = await api('POST', `/v1/accounts/bench/users/${user}/pin`);
            if (!issued.ok) throw new Error(`issuing a PIN answered ${String(issued.status)}: ${await issued.text()}`);
            pins.push(((await issued.json()) as { pin: string }).pin);
          }
        }),
      );
      return pins;
    };
    const validPins = await issuePins(Math.floor(REQUESTS * VALID_SHARE));

    const pinRequest = (digits: string): Req => {
      const params = {
        CallSid: `CA${randomBytes(16).toString('hex')}`,
        AccountSid: secrets.accountSid,
        From: `+4479${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        To: '+442070000000',
        Digits: digits,
      };
      const path = '/twilio/pin?attempt=1';
      return {
        path,
        body: new URLSearchParams(params).toString(),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(secrets.authToken, `${publicBaseUrl}${path}`, params),
        },
      };
    };
    const wrong = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    const pinLoad = Array.from({ length: REQUESTS }, (_, i) =>
      pinRequest(i % Math.round(1 / VALID_SHARE) === 0 ? (validPins.pop() ?? wrong()) : wrong()),
    );
    const baselineLoad: Req[] = Array.from({ length: REQUESTS }, () => ({ path: '/baseline', body: '', headers: {} }));

    // Warm both up (JIT, connections, scripts loaded) before measuring.
    await load(servicePort, Array.from({ length: 500 }, () => pinRequest(wrong())), CONCURRENCY);
    await load(baselinePort, baselineLoad.slice(0, 500), CONCURRENCY);

    answers.clear();
    // BENCH_PROFILE=dir: CPU profiles of the service under load and one at a time, to see where the time goes.
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/start`);
    const redisProcess = await redisPid(redis);
    const measure = { redis, redisPid: redisProcess, concurrency: CONCURRENCY };
    // Under load, in LOAD_BLOCKS blocks taking turns with the baseline's, so that the throughput and
    // p99 ratios compare the same seconds. CPU per request, the server's and Redis', and Redis
    // commands are summed over each side's own blocks: what a change costs or saves.
    const [pin, base] = [loadSide(), loadSide()];
    const blockSize = Math.ceil(REQUESTS / LOAD_BLOCKS);
    for (let from = 0; from < REQUESTS; from += blockSize) {
      await underLoad(measure, pin, { port: servicePort, pid: service.pid }, pinLoad.slice(from, from + blockSize));
      await underLoad(measure, base, { port: baselinePort, pid: baseline.pid }, baselineLoad.slice(from, from + blockSize));
    }
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/stop?phase=concurrent`);
    const perRequest = (seconds: number) => (seconds * 1000) / REQUESTS;
    const [serviceCpuMs, redisCpuMs] = [perRequest(pin.cpuSeconds), perRequest(pin.redisSeconds)];
    const [baselineCpuMs, baselineRedisMs] = [perRequest(base.cpuSeconds), perRequest(base.redisSeconds)];
    const commandsPerWebhook = pin.commands / REQUESTS;
    const measuredAnswers = [...answers].filter(([kind]) => kind !== 'baseline').map(([kind, count]) => `${kind}: ${String(count)}`).join(', ');
    // One at a time: wrong PINs, valid PINs (verified, used up, held) and the baseline, each with its CPU per request.
    const validOneByOne = await issuePins(SEQUENTIAL_VALID);
    const alone = async (pid: number | undefined, port: number, requests: Req[]) => {
      const [cpuBefore, redisBefore] = [cpuSeconds(pid ?? 0), cpuSeconds(redisProcess)];
      const run = await load(port, requests, 1);
      const cpuMs = ((cpuSeconds(pid ?? 0) - cpuBefore) * 1000) / requests.length;
      return { ...run, cpuMs, redisMs: ((cpuSeconds(redisProcess) - redisBefore) * 1000) / requests.length };
    };
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/start`);
    const oneAtATime = await alone(service.pid, servicePort, Array.from({ length: SEQUENTIAL }, () => pinRequest(wrong())));
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/stop?phase=one-at-a-time`);
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/start`);
    const validOneAtATime = await alone(service.pid, servicePort, validOneByOne.map((digits) => pinRequest(digits)));
    if (process.env.BENCH_PROFILE !== undefined) await fetch(`${publicBaseUrl}/bench/profile/stop?phase=valid-one-at-a-time`);
    const baseOneAtATime = await alone(baseline.pid, baselinePort, baselineLoad.slice(0, SEQUENTIAL));
    // The medians the targets compare: each kind of PIN taking turns with the baseline.
    const baselineRequest: Req = { path: '/baseline', body: '', headers: {} };
    const wrongTurns = await takingTurns({ port: servicePort, requests: Array.from({ length: SEQUENTIAL }, () => pinRequest(wrong())) }, { port: baselinePort, request: baselineRequest });
    const validTurns = await takingTurns({ port: servicePort, requests: (await issuePins(SEQUENTIAL_VALID)).map((digits) => pinRequest(digits)) }, { port: baselinePort, request: baselineRequest });
    // Round trips, counted on a separate mixed run (the counting itself costs time).
    await fetch(`${publicBaseUrl}/bench/count-round-trips`);
    const validForCount = await issuePins(200);
    await load(servicePort, Array.from({ length: 1000 }, (_, i) => pinRequest(i % 5 === 0 ? (validForCount.pop() ?? wrong()) : wrong())), 1);
    const trips = (await (await fetch(`${publicBaseUrl}/bench/round-trips`)).json()) as { mean: number; max: number };
    // Counting off again: what follows is measured as production runs.
    await fetch(`${publicBaseUrl}/bench/stop-counting`);

    // Callers already waiting, nobody free to page: the webhook's throughput and the idle pager at each size.
    const atSize: { size: number; rps: number; cpuMs: number; redisMs: number; cpu: number; commandsPerSecond: number }[] = [];
    let seeded = 0;
    for (const size of QUEUE_SIZES) {
      await redis.del(...QUEUE_KEYS);
      await seedWaitingCallers(redisUrl, size, seeded);
      seeded += size;
      const valid = await issuePins(Math.floor(QUEUE_REQUESTS * VALID_SHARE));
      const [cpuBefore, redisBefore] = [cpuSeconds(service.pid ?? 0), cpuSeconds(redisProcess)];
      const run = await load(servicePort, Array.from({ length: QUEUE_REQUESTS }, (_, i) => pinRequest(i % 5 === 0 ? (valid.pop() ?? wrong()) : wrong())), CONCURRENCY);
      // CPU per request as well: what a webhook costs, steadier than req/s over a two-second run.
      const cpuMs = ((cpuSeconds(service.pid ?? 0) - cpuBefore) * 1000) / QUEUE_REQUESTS;
      const redisMs = ((cpuSeconds(redisProcess) - redisBefore) * 1000) / QUEUE_REQUESTS;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idle = await idleCost(service.pid ?? 0, redis, IDLE_SECONDS);
      atSize.push({ size, rps: run.latencies.length / run.seconds, cpuMs, redisMs, ...idle });
    }
    // 10,000 waiting against none, taking turns in blocks (the queue parked and put back between
    // them), so that both sides of the target's comparison come from the same seconds.
    const turns = { none: [] as number[], full: [] as number[] };
    const cpu = { none: 0, full: 0 };
    for (let round = 0; !QUICK && round < QUEUE_ROUNDS; round += 1) {
      for (const side of ['none', 'full'] as const) {
        if (side === 'none') await parkQueue(redis);
        const valid = await issuePins(Math.floor(QUEUE_BLOCK * VALID_SHARE));
        const before = cpuSeconds(service.pid ?? 0);
        const run = await load(servicePort, Array.from({ length: QUEUE_BLOCK }, (_, i) => pinRequest(i % 5 === 0 ? (valid.pop() ?? wrong()) : wrong())), CONCURRENCY);
        cpu[side] += cpuSeconds(service.pid ?? 0) - before;
        turns[side].push(run.latencies.length / run.seconds);
        if (side === 'none') await unparkQueue(redis);
      }
    }
    // The mass outage (issue 24): 0, 1,000 and 10,000 on hold; the wait URL against the baseline, holding at
    // Twilio's cadence, a legitimate caller under a flood of wrong PINs in both modes, a waiting caller's memory.
    // The legitimate caller's account: a few users, each PIN issued just before its call (one live PIN a user).
    await api('PUT', '/v1/accounts/legit', { name: 'Legit Ltd', sla: 'managed_platform' });
    const legitUsers = Array.from({ length: LEGIT_USERS }, (_, i) => `l${String(i)}`);
    for (const user of legitUsers) await api('PUT', `/v1/accounts/legit/users/${user}`, { name: `Legit ${user}`, permissions: ['manage_support'] });
    let legitCalls = 0;
    const issueLegit = async () => {
      const user = legitUsers[(legitCalls += 1) % LEGIT_USERS] ?? '';
      const issued = await api('POST', `/v1/accounts/legit/users/${user}/pin`);
      if (!issued.ok) throw new Error(`issuing a PIN answered ${String(issued.status)}: ${await issued.text()}`);
      return (await issued.json()) as { pin: string; accountCode: string };
    };
    // The policy bench-server.ts builds on: the account code's length, the hold music's.
    const outagePolicy = parsePolicy(DEMO_POLICY);
    const outage =
      QUICK || accountCodeService === undefined
        ? []
        : await measureOutage({
            redis,
            redisPid: redisProcess,
            concurrency: CONCURRENCY,
            service: { port: servicePort, pid: service.pid ?? 0, baseUrl: publicBaseUrl },
            accountCodeService: { port: accountCodePort, pid: accountCodeService.pid ?? 0, baseUrl: accountCodeBaseUrl },
            baseline: { port: baselinePort, pid: baseline.pid ?? 0, request: baselineRequest },
            twilio: { authToken: secrets.authToken, accountSid: secrets.accountSid },
            issuePins,
            issueLegit,
            codeDigits: outagePolicy.line.accountCodeDigits,
            musicSeconds: outagePolicy.queue.holdMusicSeconds,
          });
    const memoryPerWaiting = outage.at(-1)?.memory?.parts.reduce((sum, part) => sum + part.bytes, 0) ?? 0;

    const memory = QUICK ? 0 : await memoryPerLivePin(redisUrl);

    const rps = (run: { latencies: number[]; seconds: number }) => run.latencies.length / run.seconds;
    const row = (name: string, run: { latencies: number[]; seconds: number }, single: { latencies: number[] }, cpuMs: number, redisMs: number) =>
      `| ${name} | ${rps(run).toFixed(0)} | ${percentile(run.latencies, 50).toFixed(2)} | ${percentile(run.latencies, 99).toFixed(2)} | ${percentile(single.latencies, 50).toFixed(2)} | ${cpuMs.toFixed(3)} | ${redisMs.toFixed(3)} |`;
    const singleRow = (name: string, single: { latencies: number[]; cpuMs: number; redisMs: number }) =>
      `| ${name} | ${percentile(single.latencies, 50).toFixed(3)} | ${percentile(single.latencies, 99).toFixed(3)} | ${single.cpuMs.toFixed(3)} | ${single.redisMs.toFixed(3)} |`;
    const ratio = rps(pin) / rps(base);
    const p99Ratio = percentile(pin.latencies, 99) / percentile(base.latencies, 99);
    const medianTarget = (name: string, turns: { service: number[]; baseline: number[] }) => {
      const [median, baseMedian] = [percentile(turns.service, 50), percentile(turns.baseline, 50)];
      return `| median ≤ 1.5 × baseline's, one at a time, taking turns: ${name} | ${(median / baseMedian).toFixed(2)} × (${median.toFixed(3)} vs ${baseMedian.toFixed(3)} ms) | ${verdict(median <= 1.5 * baseMedian)} |`;
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const turnsTable = (rps: Record<'none' | 'full', number[]>, cpuSeconds: Record<'none' | 'full', number>) => {
      const [none, full] = [percentile(rps.none, 50), percentile(rps.full, 50)];
      const perRequest = (seconds: number) => ((seconds * 1000) / (QUEUE_ROUNDS * QUEUE_BLOCK)).toFixed(3);
      return [
        `| callers waiting, taking turns (${String(QUEUE_ROUNDS)} blocks of ${String(QUEUE_BLOCK)} at ${String(CONCURRENCY)} each) | PIN webhook req/s, median block | server CPU ms per request |`,
        '|---|---|---|',
        `| none | ${none.toFixed(0)} | ${perRequest(cpuSeconds.none)} |`,
        `| 10,000 and more | ${full.toFixed(0)} (${(full / none).toFixed(2)} ×: ${verdict(Math.abs(full / none - 1) <= 0.1)}) | ${perRequest(cpuSeconds.full)} |`,
      ];
    };
    process.stdout.write(
      [
        `callgate bench: ${String(REQUESTS)} requests at ${String(CONCURRENCY)} concurrent (${String(Math.round(VALID_SHARE * 100))}% valid PINs, enqueued) in ${String(LOAD_BLOCKS)} blocks taking turns with the baseline's, then ${String(SEQUENTIAL)} wrong and ${String(SEQUENTIAL_VALID)} valid PINs one at a time`,
        `answers under load: ${measuredAnswers}`,
        '',
        '| | req/s | median ms | p99 ms | median ms, one at a time | server CPU ms per request | Redis CPU ms per request |',
        '|---|---|---|---|---|---|---|',
        row('PIN webhook', pin, oneAtATime, serviceCpuMs, redisCpuMs),
        row('baseline (express + 1 GET)', base, baseOneAtATime, baselineCpuMs, baselineRedisMs),
        '',
        '| one at a time | median ms | p99 ms | server CPU ms per request | Redis CPU ms per request |',
        '|---|---|---|---|---|',
        singleRow('wrong PIN', oneAtATime),
        singleRow('valid PIN (verified, used up, held)', validOneAtATime),
        singleRow('baseline', baseOneAtATime),
        '',
        '| target | measured | |',
        '|---|---|---|',
        `| throughput ≥ 0.6 × baseline | ${ratio.toFixed(2)} × | ${verdict(ratio >= 0.6)} |`,
        `| p99 ≤ 2 × baseline p99 | ${p99Ratio.toFixed(2)} × | ${verdict(p99Ratio <= 2)} |`,
        medianTarget('wrong PIN', wrongTurns),
        medianTarget('valid PIN', validTurns),
        `| ≤ 3 Redis round trips per webhook | mean ${trips.mean.toFixed(2)}, max ${String(trips.max)} | ${verdict(trips.max <= 3)} |`,
        `| Redis commands per webhook | ${commandsPerWebhook.toFixed(2)} | |`,
        `| Redis memory per live PIN (${String(MEMORY_PINS)} live) | ${memory.toFixed(0)} bytes | |`,
        `| Redis memory per waiting caller (10,000 on hold, every key: breakdown below) | ${memoryPerWaiting.toFixed(0)} bytes | ${verdict(memoryPerWaiting <= 1000)} (≤ 1,000) |`,
        '',
        ...(QUICK ? [] : [...turnsTable(turns, cpu), '']),
        `| callers waiting (nobody free to page) | PIN webhook req/s (${String(QUEUE_REQUESTS)} at ${String(CONCURRENCY)}) | vs 0 waiting | server / Redis CPU ms per request | idle CPU, share of a core | idle Redis commands/s |`,
        '|---|---|---|---|---|---|',
        ...atSize.map(
          (m) =>
            `| ${m.size.toLocaleString('en-GB')} | ${m.rps.toFixed(0)} | ${(m.rps / (atSize[0]?.rps ?? m.rps)).toFixed(2)} × | ${m.cpuMs.toFixed(3)} / ${m.redisMs.toFixed(3)} | ${(m.cpu * 100).toFixed(1)} % ${verdict(m.cpu < 0.05)} | ${m.commandsPerSecond.toFixed(1)} ${verdict(m.commandsPerSecond < 100)} |`,
        ),
        '',
        ...(QUICK ? [] : outageTables(outage)),
      ].join('\n'),
    );
  } finally {
    service.kill('SIGTERM');
    accountCodeService?.kill('SIGTERM');
    baseline.kill('SIGTERM');
    redis.disconnect();
    await privateRedis?.stop();
  }
}

/** Issues MEMORY_PINS PINs under a fresh prefix and divides Redis' memory growth by their number. */
async function memoryPerLivePin(redisUrl: string): Promise<number> {
  const log = createLogger({ level: 'error' });
  const client = connectRedis({ kind: 'standalone', url: redisUrl }, log, { keyPrefix: 'mem:' });
  await new Promise((resolve) => client.once('ready', resolve));
  const pins = createPinStore(client, systemClock, {
    secret: secrets.pinSecret,
    pin: { digits: 8, ttlSeconds: 3600, attemptsPerCall: 3, issuesPerUserPerHour: 5 },
  });
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1] ?? 0);
  const before = await used();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < MEMORY_PINS) {
        next += 1;
        await pins.issue({ accountId: 'memory', userId: `u${String(next)}` });
      }
    }),
  );
  // The per-user issue counters expire within the hour; they are part of what a PIN costs while it lives.
  const growth = (await used()) - before;
  client.disconnect();
  return growth / MEMORY_PINS;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
