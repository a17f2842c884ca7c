import type { Clock } from '../clock.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Busy, BusySysadmins } from '../oncall/busy-sysadmins.js';
import type { Sysadmin } from '../oncall/oncall-schema.js';
import type { OncallPins } from '../oncall/oncall-pins.js';
import type { OncallStore } from '../oncall/oncall-store.js';
import { ONCALL_PIN_BURST } from '../oncall/phone-in.js';
import { waitedSeconds, type WaitingCallers, type WaitingEntry } from '../oncall/waiting-callers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import type { DirectoryStore, Names } from '../directory/directory-store.js';
import type { LineHistory } from './line-history.js';
import type { LiveView, SysadminView, WaitingCallerView } from './live-view-schema.js';
import { iso, namesOf, refsOf } from './recent-calls.js';

// A screenful and more; the total says how many wait beyond it.
const SHOWN_CALLERS = 100;
const MINUTE_MS = 60_000;

export interface LiveViewDeps {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  oncall: OncallStore;
  oncallPins: Pick<OncallPins, 'failures' | 'limits'>;
  hours: SupportHours;
  policy: Policy;
  clock: Clock;
  history: LineHistory;
  redis: RedisClient;
  names: DirectoryStore['names'];
}

/** Builds the line now with the oncall modules' reads, issued together: one round to Redis, then one more. */
export function createLiveViewBuilder(deps: LiveViewDeps) {
  const { waiting, busy, oncall, hours, policy, clock, history } = deps;
  const newsLimitMs = policy.oncall.busyWithoutNewsAlarmMinutes * 60_000;

  // The line alarm as the guess check decides it: failed PINs in this minute or the last, whichever is
  // busier. Read from Redis, not the gauge, which moves only when this instance sees a miss.
  async function lineAlarm(now: number) {
    const minute = Math.floor(now / MINUTE_MS);
    const counts = await withRedis(() => deps.redis.mget(keys.lineFailures(minute), keys.lineFailures(minute - 1)));
    const failuresPerMinute = Math.max(0, ...counts.map((count) => Number(count ?? 0)));
    const threshold = policy.line.alarmFailuresPerMinute;
    return { alarm: failuresPerMinute >= threshold, failuresPerMinute, alarmThreshold: threshold };
  }

  function callerView(entry: WaitingEntry, rota: Map<string, Sysadmin>, now: number): WaitingCallerView {
    const { caller, chain, reservation } = entry;
    const page = chain.page;
    const pagedAt = page === null ? undefined : history.pagedAt(caller.callSid, page.sysadminId);
    return {
      callSid: caller.callSid,
      accountId: caller.accountId,
      accountName: caller.accountName,
      userId: caller.userId,
      userName: caller.userName,
      isAdminContact: caller.isAdminContact,
      plan: caller.tier,
      waitingSince: iso(caller.enqueuedAt),
      waitSeconds: waitedSeconds(caller, now),
      paging:
        page === null
          ? null
          : {
              sysadminId: page.sysadminId,
              sysadminName: rota.get(page.sysadminId)?.name ?? null,
              state: page.state,
              since: pagedAt === undefined ? null : iso(pagedAt),
            },
      reservedBy: reservation !== null && reservation.until > now ? reservation.sysadminId : null,
    };
  }

  /** Whom a busy sysadmin is busy with: the caller their page is for, or the one they are bridged to. */
  function withCaller(id: string, state: Busy | undefined, entries: WaitingEntry[], names: Names) {
    if (state === undefined || state.kind === 'resting') return null;
    const paged = entries.find((e) => e.chain.page?.pageCallSid === state.callSid || e.reservation?.sysadminId === id);
    if (paged !== undefined) {
      const { caller } = paged;
      return { callSid: caller.callSid, accountId: caller.accountId, accountName: caller.accountName, userName: caller.userName };
    }
    const bridged = state.kind === 'connected' || state.kind === 'on_line' ? history.connectedCaller(id) : undefined;
    if (bridged === undefined) return null;
    const { callSid, accountId, userId } = bridged;
    return { callSid, accountId, ...namesOf(names, accountId, userId) };
  }

  return async (): Promise<LiveView> => {
    const now = clock.now();
    const [entries, total, busyNow, rota, alarm] = await Promise.all([
      waiting.head(SHOWN_CALLERS),
      waiting.count(),
      busy.all(now),
      oncall.list(),
      lineAlarm(now),
      history.refresh(),
    ]);
    const byId = new Map(rota.map((sysadmin) => [sysadmin.id, sysadmin]));
    const offRotaBusy = [...busyNow.keys()].filter((id) => !byId.has(id));
    // The bridged callers' names: their call's audit events carry only ids.
    const bridged = [...busyNow.keys()].flatMap((id) => {
      const call = history.connectedCaller(id);
      return call === undefined ? [] : refsOf(call.accountId, call.userId);
    });
    const onRota = rota.map((s) => s.id);
    const [failures, names] = await Promise.all([deps.oncallPins.failures(onRota, now), deps.names(bridged)]);
    const { failuresPerWindow, windowMs } = deps.oncallPins.limits;
    // Off the rota, a busy sysadmin has no on-call PIN standing.
    const oncallPinOf = (index: number): Pick<SysadminView, 'oncallPin'> => {
      const count = failures[index];
      if (count === undefined) return {};
      return { oncallPin: { failures: count, windowHours: windowMs / 3_600_000, alarm: count >= ONCALL_PIN_BURST, locked: count >= failuresPerWindow } };
    };
    const sysadmins = [...onRota, ...offRotaBusy].map((id, index): SysadminView => {
      const state = busyNow.get(id);
      return {
        ...oncallPinOf(index),
        id,
        name: byId.get(id)?.name ?? null,
        onRota: byId.has(id),
        state: state?.kind ?? 'free',
        until: state === undefined ? null : iso(state.until),
        withCaller: withCaller(id, state, entries, names),
        ...(state?.heardAt === undefined ? {} : { lastHeard: { at: iso(state.heardAt), alarm: state.heardAt < now - newsLimitMs } }),
      };
    });
    const plans = Object.entries(policy.tiers)
      .filter(([, tier]) => tier.phoneSupport)
      .map(([plan]) => {
        const next = hours.nextChange(plan, now);
        return { plan, openNow: hours.isOpen(plan, now), nextChange: next === null ? null : iso(next) };
      });
    return {
      at: iso(now),
      line: { ...alarm, plans, timeZone: policy.timezone, locale: policy.voice.language },
      waiting: { total, callers: entries.map((entry) => callerView(entry, byId, now)) },
      sysadmins,
    };
  };
}
