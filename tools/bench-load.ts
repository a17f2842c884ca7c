import { Agent, request } from 'node:http';
import type { Redis } from 'ioredis';
import { commandCount, cpuSeconds } from './bench-queue.js';

/** The bench's load: requests sent from this process, their latencies, and what each side cost. */

export interface Req {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** How many answers of each kind the service gave, so a run shows it measured real work, not apologies. */
export const answers = new Map<string, number>();
function classify(body: string): string {
  if (body.includes('<Enqueue')) return 'enqueued';
  if (body.includes('not recognised')) return 'not recognised';
  if (body.includes('We are sorry')) return 'APOLOGY';
  if (body.includes('<Leave')) return 'left the queue';
  if (body.includes('<Pause') || body.includes('<Play')) return 'held';
  return body.startsWith('<?xml') ? 'other TwiML' : 'baseline';
}

/** One side of the load taking turns: its requests' latencies, and its blocks' time, CPU and Redis commands summed. */
export interface LoadSide {
  latencies: number[];
  seconds: number;
  cpuSeconds: number;
  redisSeconds: number;
  commands: number;
}
export const loadSide = (): LoadSide => ({ latencies: [], seconds: 0, cpuSeconds: 0, redisSeconds: 0, commands: 0 });

/** Sends one request on `agent` and resolves with its latency (ms), counting the kind of answer. */
export function sender(port: number, agent: Agent): (req: Req) => Promise<number> {
  return (req) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const r = request({ host: '127.0.0.1', port, method: 'POST', path: req.path, headers: req.headers, agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          const kind = classify(body);
          answers.set(kind, (answers.get(kind) ?? 0) + 1);
          if (res.statusCode !== 200) reject(new Error(`${req.path} answered ${String(res.statusCode)}`));
          resolve(performance.now() - started);
        });
      });
      r.on('error', reject);
      r.end(req.body);
    });
}

/** Sends every request with `concurrency` in flight; returns each latency (ms) and the wall time. */
export async function load(port: number, requests: Req[], concurrency: number): Promise<{ latencies: number[]; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = sender(port, agent);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const req = requests[next++];
        if (req !== undefined) latencies.push(await send(req));
      }
    }),
  );
  agent.destroy();
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/**
 * One block of load for one side, added to its sums: CPU per request, the server's and Redis',
 * and Redis' own count of commands (INFO commandstats, scripts' inner commands included), so
 * that sides taking turns compare the same seconds.
 */
export async function underLoad(
  measure: { redis: Redis; redisPid: number; concurrency: number },
  side: LoadSide,
  target: { port: number; pid: number | undefined },
  requests: Req[],
): Promise<void> {
  const pid = target.pid ?? 0;
  const [cpuBefore, redisBefore, commandsBefore] = [cpuSeconds(pid), cpuSeconds(measure.redisPid), await commandCount(measure.redis)];
  const run = await load(target.port, requests, measure.concurrency);
  side.latencies.push(...run.latencies);
  side.seconds += run.seconds;
  side.cpuSeconds += cpuSeconds(pid) - cpuBefore;
  side.redisSeconds += cpuSeconds(measure.redisPid) - redisBefore;
  // The INFO that reads the count is one of the commands counted.
  side.commands += (await commandCount(measure.redis)) - commandsBefore - 1;
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
