import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Req } from './bench-load.js';

/**
 * Load at a set rate (open loop), as Twilio sends it: each request leaves when it is due, whether
 * or not the ones before it have been answered, so a slow answer shows as latency instead of
 * slowing the load down. Used for the outage's callers on hold, the flood and the legitimate caller.
 */

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** Sends one request and resolves with its status, body and latency (ms); never rejects on a status. */
export function post(port: number, agent: Agent, req: Req): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const started = performance.now();
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: req.path, headers: req.headers, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started });
      });
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A keep-alive agent with room for an open loop's requests in flight. */
export const openLoopAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Starts `fire(i)` `perSecond` times a second until `seconds` have passed (or `stop()` says so),
 * then waits for the last ones. Resolves with how many were fired and how many failed (threw).
 */
export async function paced(
  perSecond: number,
  until: { seconds: number } | { stop: () => boolean },
  fire: (i: number) => Promise<unknown>,
): Promise<{ fired: number; failed: number }> {
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let [fired, failed] = [0, 0];
  const over = () => ('seconds' in until ? performance.now() - started >= until.seconds * 1000 : until.stop());
  while (perSecond > 0 && !over()) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond) + 1;
    while (fired < due) {
      const sent = fire(fired).catch(() => {
        failed += 1;
      });
      fired += 1;
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
    // To the next one due (a timer fires no sooner than 1 ms).
    await sleep(Math.max(1, (due / perSecond) * 1000 - (performance.now() - started)));
  }
  if (perSecond <= 0) while (!over()) await sleep(20);
  await Promise.all(inFlight);
  return { fired, failed };
}
