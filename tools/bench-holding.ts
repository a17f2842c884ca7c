import type { Req } from './bench-load.js';
import { openLoopAgent, paced, post } from './bench-pace.js';
import { cpuSeconds } from './bench-queue.js';

/**
 * What holding callers costs at Twilio's cadence (issue 24): Twilio fetches a waiting caller's
 * wait URL again each time its hold document ends (https://www.twilio.com/docs/voice/twiml/enqueue,
 * waitUrl), so N callers on hold send N / (the document's length) fetches a second. The service
 * answers that rate for a fixed time, then the baseline answers the same rate for as long, taking
 * turns; the CPU of each (and of Redis meanwhile) is read from /proc.
 */

// Polly voices speak at about 150 words a minute; a numeral counts as one word a digit (fewer
// than spoken: "1,234" is "one thousand two hundred and thirty-four"), so the document comes out
// shorter than Twilio plays it and the rate derived from it higher: the estimate errs toward cost.
const WORDS_PER_SECOND = 2.5;

/** A hold document's length, from its TwiML: pauses, speech at WORDS_PER_SECOND, music at the policy's track length. */
export function documentSeconds(twiml: string, musicSeconds: number | undefined): { seconds: number; words: number; pauses: number; plays: number } {
  const says = [...twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1] ?? '');
  const words = says.reduce((sum, text) => sum + text.split(/\s+/).filter(Boolean).reduce((n, word) => n + Math.max(1, (word.match(/\d/g) ?? []).length), 0), 0);
  const pauses = [...twiml.matchAll(/<Pause length="(\d+)"/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const plays = [...twiml.matchAll(/<Play/g)].length;
  return { seconds: pauses + plays * (musicSeconds ?? 0) + words / WORDS_PER_SECOND, words, pauses, plays };
}

/** One side's sums over its blocks: wall time, its process's CPU and Redis' CPU, answers not as expected. */
export interface HoldingSide {
  seconds: number;
  cpuSeconds: number;
  redisSeconds: number;
  fired: number;
  unexpected: number;
}
const side = (): HoldingSide => ({ seconds: 0, cpuSeconds: 0, redisSeconds: 0, fired: 0, unexpected: 0 });

export interface HoldingCost {
  perSecond: number;
  service: HoldingSide;
  baseline: HoldingSide;
}

/** Share of one core: a side's process, Redis, both. */
export const share = (s: HoldingSide) => ({ own: s.cpuSeconds / s.seconds, redis: s.redisSeconds / s.seconds, total: (s.cpuSeconds + s.redisSeconds) / s.seconds });

/**
 * `perSecond` wait fetches (made by `fetch(i)`) for `blockSeconds`, then as many baseline requests
 * (`baselineRequest(i)`), `blocks` times. Answers are checked: a wait fetch must hold the caller.
 */
export async function holdingCost(args: {
  perSecond: number;
  blocks: number;
  blockSeconds: number;
  redisPid: number;
  service: { port: number; pid: number };
  baseline: { port: number; pid: number };
  fetch: (i: number) => Req;
  baselineRequest: (i: number) => Req;
}): Promise<HoldingCost> {
  const result: HoldingCost = { perSecond: args.perSecond, service: side(), baseline: side() };
  const agents = [openLoopAgent(), openLoopAgent()] as const;
  let sent = 0;
  const runBlock = async (sum: HoldingSide, target: { port: number; pid: number }, agentIndex: 0 | 1, make: (i: number) => Req, held: (body: string) => boolean) => {
    const [cpuBefore, redisBefore, started] = [cpuSeconds(target.pid), cpuSeconds(args.redisPid), performance.now()];
    const run = await paced(args.perSecond, { seconds: args.blockSeconds }, async () => {
      const answer = await post(target.port, agents[agentIndex], make((sent += 1)));
      if (answer.status !== 200 || !held(answer.body)) sum.unexpected += 1;
    });
    sum.seconds += (performance.now() - started) / 1000;
    sum.cpuSeconds += cpuSeconds(target.pid) - cpuBefore;
    sum.redisSeconds += cpuSeconds(args.redisPid) - redisBefore;
    sum.fired += run.fired;
    sum.unexpected += run.failed;
  };
  for (let block = 0; block < args.blocks; block += 1) {
    await runBlock(result.service, args.service, 0, args.fetch, (body) => body.includes('<Pause') || body.includes('<Play'));
    await runBlock(result.baseline, args.baseline, 1, args.baselineRequest, (body) => body.includes('<Pause'));
  }
  for (const agent of agents) agent.destroy();
  return result;
}
