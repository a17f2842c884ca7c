import type { FloodRun, LegitRun } from './bench-flood.js';
import { share } from './bench-holding.js';
import { percentile, type LoadSide } from './bench-load.js';
import { COUNTED_FETCHES, FLOOD_BLOCK_SECONDS, FLOOD_PER_SECOND, LEGIT_PER_SECOND, WAIT_BLOCKS, WAIT_REQUESTS, type OutageAtSize } from './bench-outage.js';

/** The outage's one table (a column per size), then a waiting caller's memory in detail, in the bench's markdown. */

const verdict = (ok: boolean) => (ok ? 'met' : '**NOT met**');
const rps = (side: LoadSide) => side.latencies.length / side.seconds;
const perFetch = (seconds: number, side: LoadSide) => ((seconds * 1000) / side.latencies.length).toFixed(3);
const count = (n: number) => Math.round(n).toLocaleString('en-GB');
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const TARGET_SIZE = 10_000;

function legitRows(results: OutageAtSize[], mode: FloodRun['mode'], name: string): string[] {
  const runs = results.map((r) => r.floods.find((f) => f.mode === mode));
  const cell = (f: (run: FloodRun) => string) => runs.map((run) => (run === undefined ? '—' : f(run))).join(' | ');
  const p = (ms: number[], q: number) => percentile(ms, q).toFixed(2);
  const idle = runs[0]?.quiet.pinMs ?? [];
  const ratio = (run: FloodRun) => percentile(run.flooded.pinMs, 99) / percentile(run.quiet.pinMs, 99);
  const admittedOf = (run: LegitRun) => `${String(run.admitted)}/${String(run.calls)}`;
  return [
    `| ${name}: PIN webhook p50 / p99 ms, no flood | ${cell((run) => `${p(run.quiet.pinMs, 50)} / ${p(run.quiet.pinMs, 99)}`)} | |`,
    `| ${name}: the same under the flood (${String(FLOOD_PER_SECOND)} wrong PINs/s) | ${cell((run) => `${p(run.flooded.pinMs, 50)} / ${p(run.flooded.pinMs, 99)}`)} | |`,
    `| ${name}: **p99 under the flood / without it** | ${cell((run) => `**${ratio(run).toFixed(2)} ×** ${verdict(ratio(run) <= 2.5)}`)} | ≤ 2.5 × |`,
    `| ${name}: the PIN step's time inside the service, p50 / p99 ms, no flood → flood (no load generator's stalls) | ${cell((run) => `${p(run.quiet.servicePinMs, 50)} / ${p(run.quiet.servicePinMs, 99)} → ${p(run.flooded.servicePinMs, 50)} / ${p(run.flooded.servicePinMs, 99)} (${(percentile(run.flooded.servicePinMs, 99) / percentile(run.quiet.servicePinMs, 99)).toFixed(2)} ×)`)} | |`,
    `| ${name}: p99 under the flood / the idle line's (0 on hold, no flood) | ${cell((run) => (percentile(run.flooded.pinMs, 99) / percentile(idle, 99)).toFixed(2))} × | |`,
    ...(mode === 'account-code'
      ? [`| ${name}: the account code's step, p99 ms no flood / flood | ${cell((run) => `${p(run.quiet.codeMs, 99)} / ${p(run.flooded.codeMs, 99)}`)} | |`]
      : []),
    `| ${name}: CPU, share of one core, no flood / flood: the service; Redis | ${cell((run) => `${pct(run.quiet.serviceCpu / run.quiet.seconds)} / ${pct(run.flooded.serviceCpu / run.flooded.seconds)}; ${pct(run.quiet.redisCpu / run.quiet.seconds)} / ${pct(run.flooded.redisCpu / run.flooded.seconds)}`)} | |`,
    `| ${name}: longest event-loop stall in those blocks, ms, no flood / flood: the service; the bench's own process (a p99 no longer than these is the machine's) | ${cell((run) => `${run.quiet.serviceStallMs.toFixed(0)} / ${run.flooded.serviceStallMs.toFixed(0)}; ${run.quiet.benchStallMs.toFixed(0)} / ${run.flooded.benchStallMs.toFixed(0)}`)} | |`,
    `| ${name}: calls admitted ("connecting you", enqueued), no flood; flood | ${cell((run) => `${admittedOf(run.quiet)}; ${admittedOf(run.flooded)}`)} | all |`,
    `| ${name}: answers not the mode's prompt (legitimate; flood); flood's wrong PINs answered "not recognised"; holding fetches not held | ${cell((run) => `${String(run.quiet.wrongPrompt + run.flooded.wrongPrompt)}; ${String(run.flood.unexpected)}; ${count(run.flood.notRecognised)}/${count(run.flood.pins)}; ${String(run.holding.unexpected)}/${count(run.holding.fired)}`)} | 0; 0; all; 0 |`,
  ];
}

export function outageTables(results: OutageAtSize[]): string[] {
  const cells = (f: (r: OutageAtSize) => string) => results.map(f).join(' | ');
  const capacity = (f: (c: NonNullable<OutageAtSize['capacity']>) => string) => cells((r) => (r.capacity === undefined ? '—' : f(r.capacity)));
  const total = (r: OutageAtSize) => r.memory?.parts.reduce((sum, part) => sum + part.bytes, 0) ?? 0;
  const holdRatio = (r: OutageAtSize) => share(r.holding.service).total / share(r.holding.baseline).total;
  const last = results.at(-1);
  return [
    `| mass outage (issue 24): callers on hold, admitted through the answer and a valid PIN, nobody free to page | ${cells((r) => count(r.waiting))} | target |`,
    `|---|${results.map(() => '---|').join('')}---|`,
    `| wait fetch req/s at 64 concurrent (${count(WAIT_REQUESTS)} from anywhere in the line, ${String(WAIT_BLOCKS)} blocks taking turns) / baseline's (express parsing the same form, 1 GET, TwiML) | ${capacity((c) => `${rps(c.fetch).toFixed(0)} / ${rps(c.webhook).toFixed(0)} = **${(rps(c.fetch) / rps(c.webhook)).toFixed(2)} ×** ${verdict(rps(c.fetch) / rps(c.webhook) >= 0.9)}`)} | ≥ 0.9 × |`,
    `| the same against the bench's older baseline (express and 1 GET, no form) | ${capacity((c) => `${rps(c.get).toFixed(0)}: ${(rps(c.fetch) / rps(c.get)).toFixed(2)} ×`)} | |`,
    `| p99 ms at 64 concurrent, fetch / baseline | ${capacity((c) => `${percentile(c.fetch.latencies, 99).toFixed(1)} / ${percentile(c.webhook.latencies, 99).toFixed(1)}`)} | |`,
    `| service CPU ms per fetch / baseline's | ${capacity((c) => `${perFetch(c.fetch.cpuSeconds, c.fetch)} / ${perFetch(c.webhook.cpuSeconds, c.webhook)}`)} | |`,
    `| Redis CPU ms per fetch / baseline's | ${capacity((c) => `${perFetch(c.fetch.redisSeconds, c.fetch)} / ${perFetch(c.webhook.redisSeconds, c.webhook)}`)} | |`,
    `| Redis commands per fetch: sent (service's count, ${String(COUNTED_FETCHES)} one at a time) / run (Redis' count under load: scripts' inner commands, pager ticks) | ${capacity((c) => `${c.counted.commands.toFixed(2)} / ${(c.fetch.commands / c.fetch.latencies.length).toFixed(2)}`)} | |`,
    `| round trips per fetch, mean / max | ${capacity((c) => `${c.counted.mean.toFixed(2)} / ${String(c.counted.max)}`)} | 1 |`,
    `| hold document (estimated: its pauses, and speech at 150 words a minute) → wait fetches a second at Twilio's cadence | ${cells((r) => (r.document === undefined ? '— → 0/s' : `${r.document.seconds.toFixed(1)} s → ${r.holding.perSecond.toFixed(1)}/s`))} | |`,
    `| holding them at that rate, share of one core: service + Redis | ${cells((r) => `${pct(share(r.holding.service).own)} + ${pct(share(r.holding.service).redis)} = ${pct(share(r.holding.service).total)}`)} | |`,
    `| the baseline answering the same rate: baseline + Redis | ${cells((r) => `${pct(share(r.holding.baseline).own)} + ${pct(share(r.holding.baseline).redis)} = ${pct(share(r.holding.baseline).total)}`)} | |`,
    `| **holding cost / the baseline's at the same rate** (CPU over ${cells((r) => `${r.holding.service.seconds.toFixed(0)} s`).replaceAll(' | ', ', ')} a side, taking turns) | ${cells((r) => (r.holding.perSecond === 0 ? '— (the idle pager)' : `**${holdRatio(r).toFixed(2)} ×**${r.size >= TARGET_SIZE ? ` ${verdict(holdRatio(r) <= 1.25)}` : ''}`))} | ≤ 1.25 × with 10,000 |`,
    `| legitimate caller: ${String(LEGIT_PER_SECOND)} calls/s, a fresh PIN each; ${String(FLOOD_BLOCK_SECONDS)} s blocks with and without the flood taking turns, holding load throughout | ${cells(() => '')} | |`,
    ...legitRows(results, 'pin', 'PIN only'),
    ...legitRows(results, 'account-code', 'account-code mode (code, then PIN)'),
    `| Redis a call of the flood leaves in the line's slot (account-code mode): its call state (kept 6 h) + its number's failures (1 h) | ${cells((r) => (r.floodCallBytes === undefined ? '—' : `${count(r.floodCallBytes.callState)} + ${count(r.floodCallBytes.failures)} B`))} | |`,
    `| **Redis per waiting caller** (the line's six keys and the call's state, MEMORY USAGE) | ${cells((r) => (r.memory === undefined ? '—' : `**${count(total(r))} B** ${verdict(total(r) <= 1000)}`))} | ≤ 1,000 B |`,
    '',
    `| Redis per waiting caller (MEMORY USAGE, every element) | ${cells((r) => `${count(r.waiting)} on hold`)} |`,
    `|---|${results.map(() => '---|').join('')}`,
    ...(last?.memory?.parts ?? []).map((part, i) => `| ${part.name} | ${cells((r) => (r.memory === undefined ? '—' : `${count(r.memory.parts[i]?.bytes ?? 0)} B`))} |`),
    `| **all seven** | ${cells((r) => (r.memory === undefined ? '—' : `**${count(total(r))} B**`))} |`,
    `| used_memory's growth while they were admitted and fetched, per caller joining | ${cells((r) => (r.memory === undefined ? '—' : `${count(r.memory.usedPerCaller)} B`))} |`,
    ...results.flatMap((r) =>
      r.capacity === undefined
        ? []
        : [`\nRedis' own count over ${String(COUNTED_FETCHES)} fetches one at a time, ${count(r.waiting)} on hold, per fetch (scripts' inner commands and the pager's ticks included): ${r.capacity.inRedis.map((c) => `${c.name} ${c.perFetch.toFixed(2)}`).join(', ')}`],
    ),
    '',
    ...(last?.memory === undefined
      ? []
      : [
          `One waiting caller's call state (${last.memory.anatomy.callStateEncoding}; a hash stays a listpack only while every value is ≤ 64 B and it has ≤ 128 fields), value bytes by field: ${last.memory.anatomy.callState.map((f) => `${f.field} ${String(f.bytes)}`).join(', ')}`,
          `Their entry in the line's callers hash (${String(last.memory.anatomy.callerEntry.length)} B): ${last.memory.anatomy.callerEntry}`,
          `Their paging chain (${String(last.memory.anatomy.chainEntry.length)} B): ${last.memory.anatomy.chainEntry}`,
          '',
          `| every kind of key that grew or shrank while the last ${count(last.memory.joining)} callers were issued a PIN, admitted and fetched (users are the directory's, not the outage's) | B per caller |`,
          '|---|---|',
          ...last.memory.grown.map((part) => `| ${part.name} | ${count(part.bytes)} |`),
          '',
        ]),
  ];
}
