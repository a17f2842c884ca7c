import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import twilio from 'twilio';
import { WAITING_KEYS } from '../src/oncall/waiting-callers.js';
import { keys } from '../src/redis/keys.js';
import { load, loadSide, percentile, underLoad, type LoadSide, type Req } from './bench-load.js';
import { usedMemory } from './bench-queue.js';

/**
 * The bench's mass outage (issue 24): callers admitted through the service itself (the answer,
 * a valid PIN, the first wait fetch), so that each holds every key a real waiting caller holds, then the wait
 * URL under load taking turns with the baseline, with 1,000 and with 10,000 on hold; the
 * commands and round trips of one wait fetch; and what a waiting caller costs in Redis, key by key.
 */

// Wait fetches per size, in blocks taking turns with the baseline's (BENCH_WAIT_REQUESTS to change).
const WAIT_REQUESTS = Number(process.env.BENCH_WAIT_REQUESTS ?? 10_000);
const WAIT_BLOCKS = 10;
// Wait fetches sent one at a time with the service counting their commands and round trips.
const COUNTED_FETCHES = 500;
export const OUTAGE_SIZES = [1_000, 10_000];
const ADMIT_BATCH = 1_000;

export interface OutageBench {
  redis: Redis;
  redisPid: number;
  concurrency: number;
  service: { port: number; pid: number | undefined; baseUrl: string };
  baseline: { port: number; pid: number | undefined; request: Req };
  twilio: { authToken: string; accountSid: string };
  issuePins: (count: number) => Promise<string[]>;
}

/** What one wait fetch costs, counted by the service while sent one at a time. */
interface Counted {
  mean: number;
  max: number;
  commands: number;
  byName: Record<string, number>;
}

/** Bytes per waiting caller in one key (or one kind of key). */
interface MemoryPart {
  name: string;
  bytes: number;
}

export interface OutageAtSize {
  waiting: number;
  /** Callers brought in through the PIN webhook: all of them should be waiting. */
  admitted: number;
  fetch: LoadSide;
  base: LoadSide;
  counted: Counted;
  /** The seven things a waiting caller holds, per caller, from MEMORY USAGE (exact: SAMPLES 0). */
  memory: MemoryPart[];
  /** Every key that grew (or shrank) while these callers were admitted and fetched, by kind, per caller. */
  grown: MemoryPart[];
  /** used_memory's growth over the same, per caller. */
  usedPerCaller: number;
  /** Redis' own count (INFO commandstats) over the counted fetches, by command, per fetch: scripts' inner commands included. */
  inRedis: { name: string; perFetch: number }[];
  /** One caller's call state (its encoding, each field's value length) and their entries in the line's hashes. */
  anatomy: { callStateEncoding: string; callState: { field: string; bytes: number }[]; callerEntry: string; chainEntry: string };
}

/** INFO commandstats: calls so far, by command. */
async function commandsByName(redis: Redis): Promise<Map<string, number>> {
  const stats = await redis.info('commandstats');
  return new Map([...stats.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((match) => [match[1] ?? '', Number(match[2])]));
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A key's kind: the segments that name one call, number, user or minute become `*`. */
const kindOf = (key: string): string =>
  key
    .split(':')
    .map((segment) => (/\d/.test(segment) && !segment.startsWith('{') && !segment.endsWith('}') ? '*' : segment))
    .join(':');

/** Every key's MEMORY USAGE (SAMPLES 0: every element counted), summed by kind. */
async function memoryByKind(redis: Redis): Promise<Map<string, number>> {
  const byKind = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const usages = (await pipeline.exec()) ?? [];
    found.forEach((key, i) => {
      const kind = kindOf(key);
      byKind.set(kind, (byKind.get(kind) ?? 0) + Number(usages[i]?.[1] ?? 0));
    });
  } while (cursor !== '0');
  return byKind;
}

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

export async function measureOutage(bench: OutageBench): Promise<OutageAtSize[]> {
  const { redis, service } = bench;
  const signed = (path: string, params: Record<string, string>): Req => ({
    path,
    body: new URLSearchParams(params).toString(),
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(bench.twilio.authToken, `${service.baseUrl}${path}`, params),
    },
  });
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
  const waitFetch = (callSid: string, from: string): Req =>
    signed('/twilio/wait', {
      ...callParams(callSid, from),
      QueueSid: queueSids.get(callSid) ?? `QU${hex(16)}`,
      QueuePosition: '1',
      QueueTime: String(1 + Math.floor(Math.random() * 100)),
      AvgQueueTime: '60',
      CurrentQueueSize: '1',
      MaxQueueSize: '100',
    });

  // The line starts empty: callers the bench seeded straight into the queue's keys have no call state.
  await redis.del(...WAITING_KEYS);
  const admitted: { callSid: string; from: string }[] = [];
  const results: OutageAtSize[] = [];
  for (const size of OUTAGE_SIZES) {
    const joining = size - admitted.length;
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
      await load(service.port, callers.map((c) => waitFetch(c.callSid, c.from)), bench.concurrency);
      admitted.push(...callers);
    }
    const waiting = await redis.zcard(keys.waitingOrder);

    // Wait fetches from anywhere in the line (the far end costs what the head does), against the baseline, taking turns.
    const pick = () => admitted[Math.floor(Math.random() * admitted.length)] ?? { callSid: '', from: '' };
    const fetches = Array.from({ length: WAIT_REQUESTS }, () => {
      const caller = pick();
      return waitFetch(caller.callSid, caller.from);
    });
    await load(service.port, fetches.slice(0, 500), bench.concurrency);
    const [wait, base] = [loadSide(), loadSide()];
    const blockSize = Math.ceil(WAIT_REQUESTS / WAIT_BLOCKS);
    const measure = { redis, redisPid: bench.redisPid, concurrency: bench.concurrency };
    for (let from = 0; from < WAIT_REQUESTS; from += blockSize) {
      await underLoad(measure, wait, service, fetches.slice(from, from + blockSize));
      await underLoad(measure, base, bench.baseline, Array.from({ length: Math.min(blockSize, WAIT_REQUESTS - from) }, () => bench.baseline.request));
    }

    // The commands each fetch sends and its round trips, counted by the service one at a time, then counting off again.
    await fetch(`${service.baseUrl}/bench/count-round-trips`);
    const namesBefore = await commandsByName(redis);
    await load(service.port, Array.from({ length: COUNTED_FETCHES }, () => {
      const caller = pick();
      return waitFetch(caller.callSid, caller.from);
    }), 1);
    const namesAfter = await commandsByName(redis);
    const counted = (await (await fetch(`${service.baseUrl}/bench/round-trips?path=/twilio/wait`)).json()) as Counted;
    const inRedis = [...namesAfter]
      .map(([name, calls]) => ({ name, perFetch: (calls - (namesBefore.get(name) ?? 0)) / COUNTED_FETCHES }))
      .filter((command) => command.name !== 'info' && command.perFetch >= 0.005)
      .sort((a, b) => b.perFetch - a.perFetch);
    await fetch(`${service.baseUrl}/bench/stop-counting`);

    const callStates = await Promise.all(admitted.map((c) => memoryUsage(redis, keys.call(c.callSid))));
    const memory: MemoryPart[] = [
      ...(await Promise.all(WAITING_KEYS.map(async (key) => ({ name: key, bytes: (await memoryUsage(redis, key)) / waiting })))),
      { name: keys.call('<callSid>'), bytes: callStates.reduce((sum, bytes) => sum + bytes, 0) / waiting },
    ];
    const kindsAfter = await memoryByKind(redis);
    const grown = [...new Set([...kindsBefore.keys(), ...kindsAfter.keys()])]
      .map((name) => ({ name, bytes: ((kindsAfter.get(name) ?? 0) - (kindsBefore.get(name) ?? 0)) / joining }))
      .filter((part) => Math.abs(part.bytes) >= 1)
      .sort((a, b) => b.bytes - a.bytes);
    const usedPerCaller = ((await usedMemory(redis)) - usedBefore) / joining;
    // One caller's call state and entry, field by field: what the bytes are spent on.
    const sample = admitted[0]?.callSid ?? '';
    const stateFields = await redis.hgetall(keys.call(sample));
    const anatomy = {
      callStateEncoding: String(await redis.call('OBJECT', 'ENCODING', keys.call(sample))),
      callState: Object.entries(stateFields).map(([field, value]) => ({ field, bytes: value.length })),
      callerEntry: (await redis.hget(keys.waitingCallers, sample)) ?? '',
      chainEntry: (await redis.hget(keys.pagingChains, sample)) ?? '',
    };
    results.push({ waiting, admitted: admitted.length, fetch: wait, base, counted, inRedis, memory, grown, usedPerCaller, anatomy });
  }
  return results;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const rps = (side: LoadSide) => side.latencies.length / side.seconds;
const perFetch = (seconds: number, side: LoadSide) => ((seconds * 1000) / side.latencies.length).toFixed(3);

/** The outage's tables, in the bench's markdown. */
export function outageTables(results: OutageAtSize[]): string[] {
  const bytes = (n: number) => Math.round(n).toLocaleString('en-GB');
  const last = results.at(-1);
  const total = (r: OutageAtSize) => r.memory.reduce((sum, part) => sum + part.bytes, 0);
  return [
    `| callers on hold (wait fetches from anywhere in the line, ${String(WAIT_REQUESTS)} at 64 concurrent in ${String(WAIT_BLOCKS)} blocks taking turns with the baseline's) | wait fetch req/s | baseline req/s | ratio (target ≥ 0.9 ×) | p99 ms, fetch / baseline | server CPU ms per fetch / baseline's | Redis CPU ms per fetch / baseline's | Redis commands per fetch (Redis' count: scripts' inner commands and the pager's ticks included) | commands sent per fetch (service's count, ${String(COUNTED_FETCHES)} one at a time) | round trips per fetch, mean / max |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const ratio = rps(r.fetch) / rps(r.base);
      const names = Object.entries(r.counted.byName)
        .map(([name, n]) => `${name} ${n.toFixed(2)}`)
        .join(', ');
      return `| ${r.waiting.toLocaleString('en-GB')} (of ${r.admitted.toLocaleString('en-GB')} admitted) | ${rps(r.fetch).toFixed(0)} | ${rps(r.base).toFixed(0)} | ${ratio.toFixed(2)} × ${verdict(ratio >= 0.9)} | ${percentile(r.fetch.latencies, 99).toFixed(1)} / ${percentile(r.base.latencies, 99).toFixed(1)} | ${perFetch(r.fetch.cpuSeconds, r.fetch)} / ${perFetch(r.base.cpuSeconds, r.base)} | ${perFetch(r.fetch.redisSeconds, r.fetch)} / ${perFetch(r.base.redisSeconds, r.base)} | ${(r.fetch.commands / r.fetch.latencies.length).toFixed(2)} | ${r.counted.commands.toFixed(2)} (${names}) | ${r.counted.mean.toFixed(2)} / ${String(r.counted.max)} ${verdict(r.counted.max <= 1)} |`;
    }),
    '',
    `| Redis per waiting caller (MEMORY USAGE, every element), callers admitted through the answer and a valid PIN | ${results.map((r) => `${r.waiting.toLocaleString('en-GB')} on hold`).join(' | ')} |`,
    `|---|${results.map(() => '---|').join('')}`,
    ...(last?.memory ?? []).map((part, i) => `| ${part.name} | ${results.map((r) => `${bytes(r.memory[i]?.bytes ?? 0)} B`).join(' | ')} |`),
    `| **all seven (target ≤ 1,000 B)** | ${results.map((r) => `**${bytes(total(r))} B** ${verdict(total(r) <= 1000)}`).join(' | ')} |`,
    `| used_memory's growth while they were admitted and fetched, per caller joining | ${results.map((r) => `${bytes(r.usedPerCaller)} B`).join(' | ')} |`,
    ...results.map(
      (r) =>
        `\nRedis' own count over ${String(COUNTED_FETCHES)} fetches one at a time, ${r.waiting.toLocaleString('en-GB')} on hold, per fetch (scripts' inner commands and the pager's ticks included): ${r.inRedis.map((c) => `${c.name} ${c.perFetch.toFixed(2)}`).join(', ')}`,
    ),
    '',
    ...(last === undefined
      ? []
      : [
          `One waiting caller's call state (${last.anatomy.callStateEncoding}; a hash stays a listpack only while every value is ≤ 64 B and it has ≤ 128 fields), value bytes by field: ${last.anatomy.callState.map((f) => `${f.field} ${String(f.bytes)}`).join(', ')}`,
          `Their entry in the line's callers hash (${String(last.anatomy.callerEntry.length)} B): ${last.anatomy.callerEntry}`,
          `Their paging chain (${String(last.anatomy.chainEntry.length)} B): ${last.anatomy.chainEntry}`,
          '',
        ]),
    `| every kind of key that grew or shrank while the last ${last === undefined ? '' : (last.admitted - (results.at(-2)?.admitted ?? 0)).toLocaleString('en-GB')} callers were issued a PIN, admitted and fetched (users are the directory's, not the outage's) | B per caller |`,
    '|---|---|',
    ...(last?.grown ?? []).map((part) => `| ${part.name} | ${bytes(part.bytes)} |`),
    '',
  ];
}
