import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Policy } from '../policy/policy-schema.js';
import type { AgentCalls } from './agent-calls.js';
import type { AgentUrls } from './agent-urls.js';
import type { Busy, BusySysadmins } from './busy-sysadmins.js';
import type { PageFailures } from './page-failures.js';
import type { PageOutcomes } from './page-outcomes.js';
import type { OncallStore } from './oncall-store.js';
import { createPagePlacement } from './page-placement.js';
import { REST_TIMEOUT_MS, type Dialer } from './twilio-dialer.js';
import { ghostAfterMs, type WaitingCaller, type WaitingCallers } from './waiting-callers.js';

/**
 * Pages the on-call list for waiting callers, SPEC section 5. A tick reads who is on call
 * and who is busy; with nobody free it stops there, whatever the queue's length. Otherwise
 * it looks only at the head of the line (as many callers as there are sysadmins, plus
 * some), takes the chains that are due, and pages a free sysadmin for each, all REST calls
 * at once. No lock: each chain is taken by one atomic claim and each sysadmin is marked
 * busy by another *before* the REST call, so two instances ticking together never page
 * for one caller twice nor ring one phone twice.
 */

const GHOST_FORGOTTEN_MS = 10 * 60_000;
// A chain taken by a tick is the tick's for this long (the REST call's timeout and some).
const CHAIN_LEASE_MS = REST_TIMEOUT_MS + 3_000;
// Twilio may add about 5 s of ringing to a page's timeout; the answered page's webhook takes a moment more.
const TWILIO_EXTRA_RING_MS = 5_000;
const ANSWER_MARGIN_MS = 5_000;
// A caller whose plan closed while waiting is looked at again after this.
const CLOSED_RECHECK_MS = 60_000;
// Callers looked at beyond one per sysadmin: some at the head may be closed, ringing or reserved.
const HEAD_MARGIN = 20;
// Queue housekeeping (deletions to retry, the sweep) at most this often.
const HOUSEKEEPING_EVERY_MS = 1_000;

export interface PagerDeps {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  agentCalls: AgentCalls;
  oncall: OncallStore;
  dialer: Dialer;
  hours: SupportHours;
  clock: Clock;
  policy: Policy;
  audit: AuditLog;
  log: Logger;
  urls: AgentUrls;
  metrics?: Metrics;
  failures: PageFailures;
  /** Settles a page whose call ended before the page was recorded. */
  outcomes: Pick<PageOutcomes, 'callEnded'>;
  /**
   * A waiting caller not heard of for GHOST_FORGOTTEN_MS: their call ended unseen (its status
   * callback lost, e.g. answered while Redis failed over). They go on the call-back list.
   */
  callerGone: (caller: WaitingCaller, lastSeen: number) => Promise<void>;
  /** Housekeeping that rides on the tick (queue deletions): started, never waited for, one at a time. */
  alsoOnTick?: (now: number) => Promise<void>;
}

export function createPager(deps: PagerDeps) {
  const { waiting, busy, oncall, hours, clock, policy, log, metrics } = deps;
  const ringMs = policy.oncall.ringSeconds * 1000;
  // A caller not seen (no wait-URL fetch) for this long has gone: their call ended unseen.
  const ghostMs = ghostAfterMs(policy.queue);
  /** How long a placed page keeps its sysadmin (and its chain) before the chain moves on without news. */
  const pageWindowMs = ringMs + TWILIO_EXTRA_RING_MS + ANSWER_MARGIN_MS;

  const placement = createPagePlacement({ ...deps, pageWindowMs, requestTick });

  async function tickOnce(): Promise<void> {
    const now = clock.now();
    houseKeep(now);
    const [list, busyNow] = await Promise.all([oncall.list(), busy.all(now)]);
    reportBusyWithoutNews(busyNow, now);
    if (list.length === 0) {
      await reportEmptyRota(now);
      return;
    }
    metrics?.rotaEmpty.set(0);
    const free = new Set(list.filter((sysadmin) => !busyNow.has(sysadmin.id)).map((sysadmin) => sysadmin.id));
    if (free.size === 0) return;
    const due = await waiting.dueAmongHead(list.length + free.size + HEAD_MARGIN, now);
    if (due.length === 0) return;
    const pages: Promise<void>[] = [];
    for (const entry of await waiting.entries(due)) {
      if (free.size === 0) break;
      const { caller } = entry;
      if (entry.lastSeen < now - ghostMs) {
        // Not heard of for a minute: the call most likely ended unseen (a lost callback). Not paged
        // for; taken off the line after longer, in case it was only Redis that could not hear the
        // caller, and put on the call-back list: a verified caller is never simply forgotten.
        if (entry.lastSeen < now - GHOST_FORGOTTEN_MS) {
          log.warn({ callSid: caller.callSid }, 'a waiting caller stopped fetching the wait URL: their call is over; on the call-back list');
          // Booked first (a missed call is recorded once per call), then taken off: a failure in
          // between leaves them on the line for the next tick, never off it and unbooked.
          await deps.callerGone(caller, entry.lastSeen);
          await waiting.remove(caller.callSid);
        } else await waiting.dueAt(caller.callSid, now + ghostMs / 2);
        continue;
      }
      if (!hours.isOpen(caller.tier, now)) {
        await waiting.dueAt(caller.callSid, now + CLOSED_RECHECK_MS);
        continue;
      }
      if (entry.reservation !== null && entry.reservation.until > now) continue;
      if (!(await waiting.claimChain(caller.callSid, now, now + CHAIN_LEASE_MS))) continue;
      const claim = await placement.claimSysadmin(entry, list, free, now);
      if (claim === undefined) {
        await waiting.dueAt(caller.callSid, now);
        break;
      }
      pages.push(placement.page(entry, claim));
    }
    await Promise.all(pages);
  }

  /**
   * Why nobody at all can be paged for a caller of `tier`, if so: they are offered voicemail at
   * once. The reads are the caller's (the wait URL makes them with its own, in one round trip).
   */
  function whyNobodyCanBePaged(tier: string, onCall: number, failedInARow: number, now: number): 'plan_closed' | 'no_one_on_call' | undefined {
    if (!hours.isOpen(tier, now)) return 'plan_closed';
    return onCall === 0 || failedInARow >= onCall ? 'no_one_on_call' : undefined;
  }

  /** Whether verified callers wait on an open line with nobody on call. */
  async function rotaEmptyWhileWaiting(now: number): Promise<boolean> {
    if (!hours.isLineOpen(now) || (await oncall.list()).length > 0) return false;
    return (await waiting.count()) > 0;
  }

  /**
   * A sysadmin kept off the rota by a call nobody has heard from in a long while: a conversation
   * that long, or its reports lost. Loud once per call, and counted while it lasts.
   */
  const alarmedCalls = new Set<string>();
  const newsLimitMs = policy.oncall.busyWithoutNewsAlarmMinutes * 60_000;
  function reportBusyWithoutNews(busyNow: Map<string, Busy>, now: number): void {
    const silent = [...busyNow].filter(([, entry]) => entry.heardAt !== undefined && entry.heardAt < now - newsLimitMs);
    metrics?.sysadminsBusyWithoutNews.set(silent.length);
    for (const [sysadminId, entry] of silent) {
      if (alarmedCalls.has(entry.callSid)) continue;
      alarmedCalls.add(entry.callSid);
      log.error({ sysadminId, callSid: entry.callSid, busy: entry.kind }, 'a sysadmin is held busy by a call with no webhook for too long: check the call in Twilio');
    }
    if (silent.length === 0) alarmedCalls.clear();
  }

  /** Callers told "connecting you" while nobody is on call: loud, not silent (SPEC section 5). */
  async function reportEmptyRota(now: number): Promise<void> {
    const alarming = hours.isLineOpen(now) && (await waiting.count()) > 0;
    metrics?.rotaEmpty.set(alarming ? 1 : 0);
    if (alarming) log.error('callers are waiting and nobody is on call: PUT /v1/oncall');
  }

  // Housekeeping talks to Twilio's REST API: it must never hold up a page. Its work is due
  // seconds apart, so the extra ticks every enqueue and page outcome ask for skip it.
  let keeping = false;
  let keptAt = Number.NEGATIVE_INFINITY;
  function houseKeep(now: number): void {
    if (keeping || deps.alsoOnTick === undefined || now - keptAt < HOUSEKEEPING_EVERY_MS) return;
    keeping = true;
    keptAt = now;
    deps
      .alsoOnTick(now)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'queue housekeeping failed');
      })
      .finally(() => {
        keeping = false;
      });
  }

  let running: Promise<void> | undefined;
  let requested = 0;
  function requestTick(): void {
    tick().catch((error: unknown) => {
      log.warn({ err: error }, 'paging tick failed');
    });
  }

  /** Advances every paging chain that is due. Calls during a tick make one more tick after it. */
  function tick(): Promise<void> {
    requested += 1;
    running ??= (async () => {
      for (let done = 0; done < requested; ) {
        done = requested;
        await tickOnce();
      }
    })().finally(() => {
      running = undefined;
      requested = 0;
    });
    return running;
  }

  return { tick, requestTick, pageWindowMs, rotaEmptyWhileWaiting, whyNobodyCanBePaged };
}

export type Pager = ReturnType<typeof createPager>;
