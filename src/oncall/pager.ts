import type { SupportHours } from '../hours/support-hours.js';
import type { Busy } from './busy-sysadmins.js';
import type { Sysadmin } from './oncall-schema.js';
import type { OncallStore } from './oncall-store.js';
import { createPagePlacement, type PlacementDeps } from './page-placement.js';
import { REST_TIMEOUT_MS } from './twilio-dialer.js';
import { ghostAfterMs, type WaitingCaller } from './waiting-callers.js';

const GHOST_FORGOTTEN_MS = 10 * 60_000;
// A chain taken by a tick is the tick's for this long (the REST call's timeout and some).
const CHAIN_LEASE_MS = REST_TIMEOUT_MS + 3_000;
// A caller whose plan closed while waiting is looked at again after this.
const CLOSED_RECHECK_MS = 60_000;
// Callers looked at beyond one per sysadmin: some at the head may be closed, ringing or reserved.
const HEAD_MARGIN = 20;
// Queue housekeeping (deletions to retry, the sweep) at most this often.
const HOUSEKEEPING_EVERY_MS = 1_000;

export interface PagerDeps extends PlacementDeps {
  oncall: OncallStore;
  hours: SupportHours;
  /** A waiting caller not heard of for GHOST_FORGOTTEN_MS (their call ended unseen): on the call-back list. */
  callerGone: (caller: WaitingCaller, lastSeen: number) => Promise<void>;
  /** Housekeeping that rides on the tick (queue deletions): started, never waited for, one at a time. */
  alsoOnTick: (now: number) => Promise<void>;
}

// Pages the on-call list for waiting callers, SPEC section 5. No lock: a chain and a sysadmin are each
// claimed atomically *before* the REST call, so two instances never page twice nor ring one phone twice.
export function createPager(deps: PagerDeps) {
  const { waiting, busy, oncall, hours, clock, policy, log, metrics } = deps;
  const ghostMs = ghostAfterMs(policy.queue);

  const placement = createPagePlacement({ ...deps, requestTick });

  async function tickOnce(): Promise<void> {
    const now = clock.now();
    houseKeep(now);
    const [list, busyNow] = await Promise.all([oncall.list(), busy.all(now)]);
    reportBusyWithoutNews(busyNow, now);
    // Callers told "connecting you" while nobody is on call: loud, not silent (SPEC section 5).
    const rotaEmpty = await rotaEmptyWhileWaiting(now, list);
    metrics.rotaEmpty.set(rotaEmpty ? 1 : 0);
    if (rotaEmpty) log.error('callers are waiting and nobody is on call: PUT /v1/oncall');
    const free = new Set(list.filter((sysadmin) => !busyNow.has(sysadmin.id)).map((sysadmin) => sysadmin.id));
    if (free.size === 0) return;
    const due = await waiting.dueAmongHead(list.length + free.size + HEAD_MARGIN, now);
    if (due.length === 0) return;
    const pages: Promise<void>[] = [];
    for (const entry of await waiting.entries(due)) {
      if (free.size === 0) break;
      const { caller } = entry;
      if (entry.lastSeen < now - ghostMs) {
        // Most likely a lost callback: not paged for, and taken off the line only after longer (it may
        // have been only Redis that could not hear them).
        if (entry.lastSeen < now - GHOST_FORGOTTEN_MS) {
          log.warn({ callSid: caller.callSid }, 'a waiting caller stopped fetching the wait URL: their call is over; on the call-back list');
          // Booked before taken off: a failure in between leaves them on the line, never off it unbooked.
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

  /** Why nobody at all can be paged for a caller of `tier`, if so (the wait URL offers voicemail at once). */
  function whyNobodyCanBePaged(tier: string, onCall: number, failedInARow: number, now: number): 'plan_closed' | 'no_one_on_call' | undefined {
    if (!hours.isOpen(tier, now)) return 'plan_closed';
    return onCall === 0 || failedInARow >= onCall ? 'no_one_on_call' : undefined;
  }

  /** Whether verified callers wait on an open line with nobody on call (`list`: the rota, if already read). */
  async function rotaEmptyWhileWaiting(now: number, list?: readonly Sysadmin[]): Promise<boolean> {
    if (!hours.isLineOpen(now) || (list ?? (await oncall.list())).length > 0) return false;
    return (await waiting.count()) > 0;
  }

  // A sysadmin held busy by a call silent for long (its reports lost?): loud once per call, counted while it lasts.
  const alarmedCalls = new Set<string>();
  const newsLimitMs = policy.oncall.busyWithoutNewsAlarmMinutes * 60_000;
  function reportBusyWithoutNews(busyNow: Map<string, Busy>, now: number): void {
    const silent = [...busyNow].filter(([, entry]) => entry.heardAt !== undefined && entry.heardAt < now - newsLimitMs);
    metrics.sysadminsBusyWithoutNews.set(silent.length);
    for (const [sysadminId, entry] of silent) {
      if (alarmedCalls.has(entry.callSid)) continue;
      alarmedCalls.add(entry.callSid);
      log.error({ sysadminId, callSid: entry.callSid, busy: entry.kind }, 'a sysadmin is held busy by a call with no webhook for too long: check the call in Twilio');
    }
    if (silent.length === 0) alarmedCalls.clear();
  }

  // Housekeeping talks to Twilio's REST API: it never holds up a page, and extra ticks skip it.
  let keeping = false;
  let keptAt = Number.NEGATIVE_INFINITY;
  function houseKeep(now: number): void {
    if (keeping || now - keptAt < HOUSEKEEPING_EVERY_MS) return;
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

  return { tick, requestTick, rotaEmptyWhileWaiting, whyNobodyCanBePaged };
}

export type Pager = ReturnType<typeof createPager>;
