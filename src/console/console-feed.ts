import type { Clock } from '../clock.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { BusySysadmins } from '../oncall/busy-sysadmins.js';
import type { OncallPins } from '../oncall/oncall-pins.js';
import type { OncallStore } from '../oncall/oncall-store.js';
import type { WaitingCallers } from '../oncall/waiting-callers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import type { Attention } from './attention-schema.js';
import { createAttentionBuilder, type AttentionDeps } from './attention.js';
import { createLineAlarmReader } from './line-alarm.js';
import { createLineHistory } from './line-history.js';
import { createLiveViewBuilder } from './live-view.js';
import type { LiveView, RecentCalls } from './live-view-schema.js';
import { recentCallsOf, withNames } from './recent-calls.js';
import { sharedSnapshot } from './shared-snapshot.js';

/** How stale the live view may be: it is pushed to viewers every second, so a second keeps it "live". */
export const LIVE_MAX_AGE_MS = 1000;
// The charts move slowly; folding a day of calls every second would be wasted work.
const RECENT_MAX_AGE_MS = 5000;
// Missed callers, dead letters and the guessing bound change rarely; a redelivery shows in the page at once.
export const ATTENTION_MAX_AGE_MS = 3000;

export interface ConsoleFeed {
  live(): Promise<LiveView>;
  recentCalls(): Promise<RecentCalls>;
  attention(): Promise<Attention>;
}

/**
 * What the on-call console shows, built once per instance and shared by every viewer. The
 * recent calls are folded from the line history the live view keeps current, so they add
 * no Redis reads of their own.
 */
export function createConsoleFeed(deps: {
  redis: RedisClient;
  clock: Clock;
  policy: Policy;
  hours: SupportHours;
  waiting: WaitingCallers;
  busy: BusySysadmins;
  oncall: OncallStore;
  oncallPins?: Pick<OncallPins, 'failures' | 'limits'>;
  /** Where account and user names are read (the directory's own function). */
  directory: Pick<DirectoryStore, 'names'>;
  /** What needs a human: missed callers, dead letters, the guessing bound. */
  needs: Pick<AttentionDeps, 'missed' | 'deadLetters' | 'standing'>;
}): ConsoleFeed {
  const { redis, clock, policy, oncall } = deps;
  const history = createLineHistory({ redis, clock });
  const { names } = deps.directory;
  const readAlarm = createLineAlarmReader({ redis, clock, threshold: policy.line.alarmFailuresPerMinute });
  const live = sharedSnapshot(createLiveViewBuilder({ ...deps, history, readAlarm }), LIVE_MAX_AGE_MS);
  const recentCalls = sharedSnapshot(async () => {
    const view = await live();
    const recent = recentCallsOf(history.calls(), clock.now());
    const refs = recent.calls.flatMap(({ accountId, userId }) => (accountId === null ? [] : [{ accountId, userId: userId ?? undefined }]));
    const rota = new Map(view.sysadmins.map((s) => [s.id, s.name]));
    return withNames(recent, await names(refs), rota);
  }, RECENT_MAX_AGE_MS);
  const attention = sharedSnapshot(createAttentionBuilder({ ...deps.needs, oncall, names, policy, clock }), ATTENTION_MAX_AGE_MS);
  return { live, recentCalls, attention };
}
