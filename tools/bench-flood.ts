import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Req } from './bench-load.js';
import { cpuSeconds } from './bench-queue.js';
import { openLoopAgent, paced, post, type Answer } from './bench-pace.js';

/**
 * A legitimate caller's PIN webhook during a mass outage (issue 24): callers on hold fetching the
 * wait URL at Twilio's cadence the whole time, and a flood of wrong PINs from many numbers in
 * every other block. The legitimate caller rings as a customer would, a fresh PIN each call (issued
 * through the API just before, as the control panel would): the answer, the account code if the
 * line asks for it, the PIN (the latency measured), then the first wait fetch and the call's end,
 * so that the line's size stays what it was. A call counts as admitted only if the PIN's answer
 * says "connecting you" and enqueues; the answers before it must be the mode's prompts.
 */

export type LineMode = 'pin' | 'account-code';

/** A signed request for one service (the signature covers its public URL). */
export type Signer = (path: string, params: Record<string, string>) => Req;

export interface LegitRun {
  calls: number;
  admitted: number;
  /** Answers that were not the mode's prompt (the answer, or the code step's). */
  wrongPrompt: number;
  /** The PIN step's latency (ms); in account-code mode also the code step's. */
  pinMs: number[];
  codeMs: number[];
  /** The PIN step's time inside the service (ms): without the load generator's stalls. */
  servicePinMs: number[];
  /**
   * The longest event-loop stall (ms) over these blocks, of the service and of the bench's own process
   * (which measures the latencies): a tail no longer than these is the machine's, not the webhook's.
   */
  serviceStallMs: number;
  benchStallMs: number;
  /** Wall time of these blocks, and the CPU the service and Redis spent in them (s): the flood's cost, steadier than a tail. */
  seconds: number;
  serviceCpu: number;
  redisCpu: number;
}
const legitRun = (): LegitRun => ({ calls: 0, admitted: 0, wrongPrompt: 0, pinMs: [], codeMs: [], servicePinMs: [], serviceStallMs: 0, benchStallMs: 0, seconds: 0, serviceCpu: 0, redisCpu: 0 });

export interface FloodRun {
  mode: LineMode;
  quiet: LegitRun;
  flooded: LegitRun;
  /** Wrong PINs the flood sent, those answered "not recognised", and its calls' other surprises. */
  flood: { pins: number; notRecognised: number; unexpected: number };
  holding: { fired: number; unexpected: number };
  /** One call of the flood, ended: what it leaves in Redis is measured by the caller. */
  floodCall: { callSid: string; from: string } | undefined;
}

const PROMPT = {
  pin: 'Please enter the support PIN from your control panel',
  code: 'enter the account code shown with your PIN',
  pinAfterCode: 'Now enter your support PIN',
  notRecognised: 'not recognised',
};
const admitted = (answer: Answer) => answer.status === 200 && answer.body.includes('<Enqueue') && answer.body.includes('Connecting you');

export interface FloodBench {
  mode: LineMode;
  /** The service the mode's calls go to: its port, public URL, process and signer; and Redis' process. */
  service: { port: number; baseUrl: string; pid: number; sign: Signer };
  redisPid: number;
  accountSid: string;
  /** A fresh PIN (and the account code shown with it) for the legitimate caller, issued through the API. */
  issueLegit: () => Promise<{ pin: string; accountCode: string }>;
  legitFrom: string;
  codeDigits: number;
  /** The holding load: fetches a second, and the next fetch. */
  holding: { perSecond: number; fetch: () => Req };
  legitPerSecond: number;
  floodPerSecond: number;
  blocks: number;
  blockSeconds: number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(Math.random() * 10))).join('');

export async function legitUnderFlood(bench: FloodBench): Promise<FloodRun> {
  const { service, mode } = bench;
  const agents = { legit: openLoopAgent(), flood: openLoopAgent(), holding: openLoopAgent() };
  const send = (agent: Agent, path: string, params: Record<string, string>) => post(service.port, agent, service.sign(path, params));
  const callParams = (callSid: string, from: string) => ({
    CallSid: callSid,
    AccountSid: bench.accountSid,
    From: from,
    To: '+442070000000',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  });
  const ended = (agent: Agent, callSid: string, from: string) =>
    send(agent, '/twilio/status', { ...callParams(callSid, from), CallStatus: 'completed', CallDuration: '30' });

  /** One legitimate call, measured into `run`. */
  const legitCall = async (run: LegitRun) => {
    run.calls += 1;
    const { pin, accountCode } = await bench.issueLegit();
    const [callSid, from, agent] = [`CA${hex(16)}`, bench.legitFrom, agents.legit];
    const params = callParams(callSid, from);
    const answer = await send(agent, '/twilio/voice', params);
    let attempt = 1;
    if (mode === 'account-code') {
      if (!answer.body.includes(PROMPT.code)) run.wrongPrompt += 1;
      const code = await send(agent, `/twilio/pin?attempt=${String(attempt)}`, { ...params, Digits: accountCode });
      run.codeMs.push(code.ms);
      if (!code.body.includes(PROMPT.pinAfterCode)) run.wrongPrompt += 1;
      attempt += 1;
    } else if (!answer.body.includes(PROMPT.pin)) run.wrongPrompt += 1;
    const pinStep = service.sign(`/twilio/pin?attempt=${String(attempt)}`, { ...params, Digits: pin });
    // Marked, so that the service times it too (tools/bench-server.ts); Twilio's signature covers only the URL and form.
    const verdict = await post(service.port, agent, { ...pinStep, headers: { ...pinStep.headers, 'X-Bench-Timed': '1' } });
    run.pinMs.push(verdict.ms);
    if (!admitted(verdict)) return;
    run.admitted += 1;
    // The first wait fetch makes the PIN's use final; the hang-up takes the caller off the line again.
    await send(agent, '/twilio/wait', { ...params, QueueSid: `QU${hex(16)}`, QueuePosition: '1', QueueTime: '1', AvgQueueTime: '0', CurrentQueueSize: '1', MaxQueueSize: '100' });
    await ended(agent, callSid, from);
  };

  const flood = { pins: 0, notRecognised: 0, unexpected: 0 };
  /** One call of the flood: a new number, the account code if asked (a random one), a wrong PIN, the end. */
  const floodCall = async () => {
    const [callSid, from, agent] = [`CA${hex(16)}`, `+4479${digits(8)}`, agents.flood];
    const params = callParams(callSid, from);
    const answer = await send(agent, '/twilio/voice', params);
    let attempt = 1;
    if (answer.body.includes(PROMPT.code)) {
      const code = await send(agent, `/twilio/pin?attempt=1`, { ...params, Digits: digits(bench.codeDigits) });
      if (!code.body.includes(PROMPT.pinAfterCode)) flood.unexpected += 1;
      attempt = 2;
    }
    const wrong = await send(agent, `/twilio/pin?attempt=${String(attempt)}`, { ...params, Digits: digits(8) });
    flood.pins += 1;
    if (wrong.body.includes(PROMPT.notRecognised)) flood.notRecognised += 1;
    await ended(agent, callSid, from);
    result.floodCall = { callSid, from };
  };

  const holding = { fired: 0, unexpected: 0 };
  let over = false;
  const holdingLoad = paced(bench.holding.perSecond, { stop: () => over }, async () => {
    const answer = await post(service.port, agents.holding, bench.holding.fetch());
    if (answer.status !== 200 || !(answer.body.includes('<Pause') || answer.body.includes('<Play'))) holding.unexpected += 1;
  });

  const result: FloodRun = { mode, quiet: legitRun(), flooded: legitRun(), flood, holding, floodCall: undefined };
  const benchDelay = monitorEventLoopDelay({ resolution: 5 });
  const serviceStall = async () => ((await (await fetch(`${service.baseUrl}/bench/loop-delay`)).json()) as { maxMs: number }).maxMs;
  const serviceTimes = async () => (await (await fetch(`${service.baseUrl}/bench/timed`)).json()) as number[];
  /** Runs one block into `run`, with the stalls seen meanwhile. */
  const block = async (run: LegitRun, load: () => Promise<unknown>) => {
    await Promise.all([serviceStall(), serviceTimes()]);
    benchDelay.reset();
    benchDelay.enable();
    const [cpuBefore, redisBefore, startedAt] = [cpuSeconds(service.pid), cpuSeconds(bench.redisPid), performance.now()];
    await load();
    run.seconds += (performance.now() - startedAt) / 1000;
    run.serviceCpu += cpuSeconds(service.pid) - cpuBefore;
    run.redisCpu += cpuSeconds(bench.redisPid) - redisBefore;
    benchDelay.disable();
    run.benchStallMs = Math.max(run.benchStallMs, benchDelay.max / 1e6);
    run.serviceStallMs = Math.max(run.serviceStallMs, await serviceStall());
    run.servicePinMs.push(...(await serviceTimes()));
  };
  try {
    // A block unmeasured first: the mode's path warmed up, the holding load under way.
    await paced(bench.legitPerSecond, { seconds: 1 }, () => legitCall(legitRun()));
    for (let turn = 0; turn < bench.blocks; turn += 1) {
      await block(result.quiet, () => paced(bench.legitPerSecond, { seconds: bench.blockSeconds }, () => legitCall(result.quiet)));
      await block(result.flooded, () =>
        Promise.all([
          paced(bench.legitPerSecond, { seconds: bench.blockSeconds }, () => legitCall(result.flooded)),
          paced(bench.floodPerSecond, { seconds: bench.blockSeconds }, floodCall),
        ]),
      );
    }
  } finally {
    over = true;
    const run = await holdingLoad;
    holding.fired = run.fired;
    holding.unexpected += run.failed;
    for (const agent of Object.values(agents)) agent.destroy();
  }
  return result;
}
