import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import twilio from 'twilio';
import { WAITING_KEYS } from '../src/oncall/waiting-callers.js';
import { keys } from '../src/redis/keys.js';
import { legitUnderFlood, type FloodRun, type Signer } from './bench-flood.js';
import { documentSeconds, holdingCost, type HoldingCost } from './bench-holding.js';
import { load, loadSide, underLoad, type LoadSide, type Req } from './bench-load.js';
import { anatomyOf, grownBetween, memoryByKind, memoryUsage, perWaitingCaller, type Anatomy, type MemoryPart } from './bench-outage-memory.js';
import { usedMemory } from './bench-queue.js';

/**
 * The bench's mass outage (issue 24), at 0, 1,000 and 10,000 callers on hold. Callers are admitted
 * through the service itself (the answer, a valid PIN, the first wait fetch), so that each holds
 * every key a real waiting caller holds. At each size: the wait URL's capacity taking turns with
 * the baseline; the commands and round trips of one wait fetch; what a waiting caller costs in
 * Redis; what holding them costs at Twilio's cadence against the baseline at the same rate; and a
 * legitimate caller's PIN webhook with and without a flood of wrong PINs, in PIN-only and
 * account-code mode (tools/bench-flood.ts), the holding load running throughout.
 */

// Wait fetches per size, in blocks taking turns with the baseline's (BENCH_WAIT_REQUESTS to change).
export const WAIT_REQUESTS = Number(process.env.BENCH_WAIT_REQUESTS ?? 10_000);
export const WAIT_BLOCKS = 10;
// Wait fetches sent one at a time with the service counting their commands and round trips.
export const COUNTED_FETCHES = 500;
export const OUTAGE_SIZES = [0, 1_000, 10_000];
const ADMIT_BATCH = 1_000;
// Holding at the cadence: seconds per side with 10,000 on hold (fewer below), in blocks of HOLD_BLOCK_SECONDS taking turns.
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 20);
const HOLD_BLOCK_SECONDS = 4;
// The flood: issue 24's 50 wrong PINs a second, against a legitimate caller ringing FLOOD_LEGIT_PER_SECOND times a second.
export const FLOOD_PER_SECOND = 50;
export const LEGIT_PER_SECOND = 25;
// Blocks of each (quiet, flooded) per mode, short and many so that both sides see the same moments of
// this shared machine: BENCH_FLOOD_BLOCKS with 10,000 on hold, three below.
const FLOOD_BLOCKS = Number(process.env.BENCH_FLOOD_BLOCKS ?? 8);
export const FLOOD_BLOCK_SECONDS = 2;

export interface OutageService {
  port: number;
  pid: number;
  baseUrl: string;
}

export interface OutageBench {
  redis: Redis;
  redisPid: number;
  concurrency: number;
  /** The service as the rest of the bench runs it: the guess bound out of reach, the line PIN-only. */
  service: OutageService;
  /** The same service with the policy's own guess bound: the line asks for the account code (bench-server.ts). */
  accountCodeService: OutageService;
  /** The baseline's process; its `/webhook` parses the form, its `/baseline` only GETs (`request`). */
  baseline: { port: number; pid: number; request: Req };
  twilio: { authToken: string; accountSid: string };
  issuePins: (count: number) => Promise<string[]>;
  /** A fresh PIN for the legitimate caller, and the account code shown with it. */
  issueLegit: () => Promise<{ pin: string; accountCode: string }>;
  codeDigits: number;
  musicSeconds: number | undefined;
}

/** What one wait fetch costs, counted by the service while sent one at a time. */
export interface Counted {
  mean: number;
  max: number;
  commands: number;
  byName: Record<string, number>;
}

export interface Capacity {
  fetch: LoadSide;
  /** SPEC section 10's baseline: express parsing the same form, one GET, a small TwiML answer. */
  webhook: LoadSide;
  /** The bench's older baseline, express and one GET without the form. */
  get: LoadSide;
  counted: Counted;
  /** Redis' own count (INFO commandstats) over the counted fetches, by command, per fetch: scripts' inner commands included. */
  inRedis: { name: string; perFetch: number }[];
}

export interface OutageMemory {
  /** The seven things a waiting caller holds, per caller, from MEMORY USAGE (exact: SAMPLES 0). */
  parts: MemoryPart[];
  /** Every key that grew (or shrank) while these callers were admitted and fetched, by kind, per caller. */
  grown: MemoryPart[];
  joining: number;
  /** used_memory's growth over the same, per caller. */
  usedPerCaller: number;
  anatomy: Anatomy;
}

export interface OutageAtSize {
  size: number;
  /** Callers on the line's books: all those admitted should be waiting. */
  waiting: number;
  admitted: number;
  capacity: Capacity | undefined;
  memory: OutageMemory | undefined;
  /** The hold document's estimated length, from one the service answered. */
  document: ReturnType<typeof documentSeconds> | undefined;
  holding: HoldingCost;
  floods: FloodRun[];
  /** What one call of the flood leaves in the line's slot (B): its state (kept 6 h) and its number's failures (1 h). */
  floodCallBytes: { callState: number; failures: number } | undefined;
}

/** INFO commandstats: calls so far, by command. */
async function commandsByName(redis: Redis): Promise<Map<string, number>> {
  const stats = await redis.info('commandstats');
  return new Map([...stats.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((match) => [match[1] ?? '', Number(match[2])]));
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
let started = 0;
/**
 * BENCH_PROFILE=dir: the PIN-only service's CPU profile while it holds 10,000 at the cadence, and
 * through its flood blocks (service-holding.cpuprofile, service-flood.cpuprofile).
 */
async function profiled<T>(baseUrl: string, phase: string, on: boolean, run: () => Promise<T>): Promise<T> {
  if (!on || process.env.BENCH_PROFILE === undefined) return run();
  await fetch(`${baseUrl}/bench/profile/start`);
  try {
    return await run();
  } finally {
    await fetch(`${baseUrl}/bench/profile/stop?phase=${phase}`);
  }
}
/** Where the outage is, on stderr: it takes minutes. */
const progress = (text: string) => process.stderr.write(`bench: ${((performance.now() - started) / 1000).toFixed(0)} s into the outage: ${text}\n`);

export async function measureOutage(bench: OutageBench): Promise<OutageAtSize[]> {
  const { redis, service } = bench;
  started = performance.now();
  const signerFor =
    (baseUrl: string): Signer =>
    (path, params) => ({
      path,
      body: new URLSearchParams(params).toString(),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(bench.twilio.authToken, `${baseUrl}${path}`, params),
      },
    });
  const signed = signerFor(service.baseUrl);
  const callParams = (callSid: string, from: string) => ({
    CallSid: callSid,
    AccountSid: bench.twilio.accountSid,
    From: from,
    To: '+442070000000',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  });
  // What Twilio sends the wait URL (https://www.twilio.com/docs/voice/twiml/enqueue#attributes-wait-url):
  // the call's parameters and the queue's. QueueTime stays under the line's maximum wait.
  const queueSids = new Map<string, string>();
  const waitFetch = (sign: Signer, caller: { callSid: string; from: string }): Req =>
    sign('/twilio/wait', {
      ...callParams(caller.callSid, caller.from),
      QueueSid: queueSids.get(caller.callSid) ?? `QU${hex(16)}`,
      QueuePosition: '1',
      QueueTime: String(1 + Math.floor(Math.random() * 100)),
      AvgQueueTime: '60',
      CurrentQueueSize: '1',
      MaxQueueSize: '100',
    });
  // The baseline is sent the very same form.
  const asBaseline = (req: Req): Req => ({ ...req, path: '/webhook' });

  // The line starts empty: callers the bench seeded straight into the queue's keys have no call state.
  await redis.del(...WAITING_KEYS);
  const admitted: { callSid: string; from: string }[] = [];
  const results: OutageAtSize[] = [];
  for (const size of OUTAGE_SIZES) {
    const joining = size - admitted.length;
    progress(`admitting ${String(joining)} callers`);
    const [usedBefore, kindsBefore] = [await usedMemory(redis), await memoryByKind(redis)];
    // Each caller as Twilio would bring them: the answer, then their PIN, 64 callers at a time, in
    // batches of ADMIT_BATCH, so that fewer PINs are live at once than would switch the line to account codes.
    for (let batch = 0; batch < joining; batch += ADMIT_BATCH) {
      const pins = await bench.issuePins(Math.min(ADMIT_BATCH, joining - batch));
      const callers = pins.map((pin) => ({ callSid: `CA${hex(16)}`, from: `+4479${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, pin }));
      for (const caller of callers) queueSids.set(caller.callSid, `QU${hex(16)}`);
      await load(service.port, callers.map((c) => signed('/twilio/voice', callParams(c.callSid, c.from))), bench.concurrency);
      await load(service.port, callers.map((c) => signed('/twilio/pin?attempt=1', { ...callParams(c.callSid, c.from), Digits: c.pin })), bench.concurrency);
      // Twilio fetches the wait URL as soon as the caller is enqueued: the first fetch does the
      // once-only work (it makes the PIN's use final), so what follows is the steady state.
      await load(service.port, callers.map((c) => waitFetch(signed, c)), bench.concurrency);
      admitted.push(...callers);
    }
    const waiting = await redis.zcard(keys.waitingOrder);
    const pick = () => admitted[Math.floor(Math.random() * admitted.length)] ?? { callSid: '', from: '' };

    let capacity: Capacity | undefined;
    let memory: OutageMemory | undefined;
    if (admitted.length > 0) {
      progress(`${String(waiting)} on hold: wait fetches against the baseline`);
      capacity = await measureCapacity(bench, () => waitFetch(signed, pick()), asBaseline);
      memory = {
        parts: await perWaitingCaller(redis, admitted.map((c) => c.callSid), waiting),
        grown: grownBetween(kindsBefore, await memoryByKind(redis), joining),
        joining,
        usedPerCaller: ((await usedMemory(redis)) - usedBefore) / joining,
        anatomy: await anatomyOf(redis, admitted[0]?.callSid ?? ''),
      };
    }

    // Twilio's cadence: every caller fetches again when their document ends; one from the middle of the line stands for all.
    const middle = admitted[Math.floor(admitted.length / 2)];
    const sample = middle === undefined ? undefined : waitFetch(signed, middle);
    const document =
      sample === undefined
        ? undefined
        : documentSeconds(await (await fetch(`${service.baseUrl}${sample.path}`, { method: 'POST', body: sample.body, headers: sample.headers })).text(), bench.musicSeconds);
    const perSecond = document === undefined ? 0 : admitted.length / document.seconds;
    // Each caller in turn, round the line, as their documents end.
    const inTurn = (sign: Signer) => {
      let next = 0;
      return () => waitFetch(sign, admitted[(next += 1) % Math.max(1, admitted.length)] ?? { callSid: '', from: '' });
    };
    const holdSeconds = size >= 10_000 ? HOLD_SECONDS : size > 0 ? HOLD_SECONDS / 2 : HOLD_BLOCK_SECONDS;
    const nextFetch = inTurn(signed);
    progress(`${String(waiting)} on hold: holding at ${perSecond.toFixed(0)} fetches/s against the baseline`);
    const holding = await profiled(service.baseUrl, 'holding', size >= 10_000, () => holdingCost({
      perSecond,
      blocks: Math.max(1, Math.round(holdSeconds / HOLD_BLOCK_SECONDS)),
      blockSeconds: HOLD_BLOCK_SECONDS,
      redisPid: bench.redisPid,
      service,
      baseline: bench.baseline,
      fetch: nextFetch,
      baselineRequest: () => asBaseline(nextFetch()),
    }));

    const floods: FloodRun[] = [];
    for (const [mode, target] of [['pin', service], ['account-code', bench.accountCodeService]] as const) {
      const sign = signerFor(target.baseUrl);
      progress(`${String(waiting)} on hold: the legitimate caller with and without the flood, ${mode}`);
      floods.push(
        await profiled(service.baseUrl, 'flood', size >= 10_000 && mode === 'pin', () => legitUnderFlood({
          mode,
          service: { port: target.port, baseUrl: target.baseUrl, pid: target.pid, sign },
          redisPid: bench.redisPid,
          accountSid: bench.twilio.accountSid,
          issueLegit: bench.issueLegit,
          legitFrom: '+447911123456',
          codeDigits: bench.codeDigits,
          holding: { perSecond, fetch: inTurn(sign) },
          legitPerSecond: LEGIT_PER_SECOND,
          floodPerSecond: FLOOD_PER_SECOND,
          blocks: size >= 10_000 ? FLOOD_BLOCKS : 3,
          blockSeconds: FLOOD_BLOCK_SECONDS,
        })),
      );
    }
    const floodCall = floods.at(-1)?.floodCall;
    const floodCallBytes =
      floodCall === undefined
        ? undefined
        : { callState: await memoryUsage(redis, keys.call(floodCall.callSid)), failures: await memoryUsage(redis, keys.callerFailures(floodCall.from)) };
    results.push({ size, waiting: await redis.zcard(keys.waitingOrder), admitted: admitted.length, capacity, memory, document, holding, floods, floodCallBytes });
  }
  return results;
}

/**
 * WAIT_REQUESTS wait fetches from anywhere in the line (the far end costs what the head does) at 64
 * concurrent, taking turns with the baseline's two routes; then COUNTED_FETCHES one at a time with
 * the service counting their commands and round trips, counting off again after.
 */
async function measureCapacity(bench: OutageBench, nextFetch: () => Req, asBaseline: (req: Req) => Req): Promise<Capacity> {
  const { redis, service } = bench;
  const fetches = Array.from({ length: WAIT_REQUESTS }, nextFetch);
  await load(service.port, fetches.slice(0, 500), bench.concurrency);
  const [wait, webhook, get] = [loadSide(), loadSide(), loadSide()];
  const blockSize = Math.ceil(WAIT_REQUESTS / WAIT_BLOCKS);
  const measure = { redis, redisPid: bench.redisPid, concurrency: bench.concurrency };
  for (let from = 0; from < WAIT_REQUESTS; from += blockSize) {
    const block = fetches.slice(from, from + blockSize);
    await underLoad(measure, wait, service, block);
    await underLoad(measure, webhook, bench.baseline, block.map(asBaseline));
    await underLoad(measure, get, bench.baseline, block.map(() => bench.baseline.request));
  }

  await fetch(`${service.baseUrl}/bench/count-round-trips`);
  const namesBefore = await commandsByName(redis);
  await load(service.port, Array.from({ length: COUNTED_FETCHES }, nextFetch), 1);
  const namesAfter = await commandsByName(redis);
  const counted = (await (await fetch(`${service.baseUrl}/bench/round-trips?path=/twilio/wait`)).json()) as Counted;
  const inRedis = [...namesAfter]
    .map(([name, calls]) => ({ name, perFetch: (calls - (namesBefore.get(name) ?? 0)) / COUNTED_FETCHES }))
    .filter((command) => command.name !== 'info' && command.perFetch >= 0.005)
    .sort((a, b) => b.perFetch - a.perFetch);
  await fetch(`${service.baseUrl}/bench/stop-counting`);
  return { fetch: wait, webhook, get, counted, inRedis };
}
