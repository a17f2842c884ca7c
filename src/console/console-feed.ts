import type { Clock } from '../clock.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { BusySysadmins } from '../oncall/busy-sysadmins.js';
import type { OncallPins } from '../oncall/oncall-pins.js';
import type { OncallStore } from '../oncall/oncall-store.js';
import type { WaitingCallers } from '../oncall/waiting-callers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { createLineAlarmReader } from './line-alarm.js';
import { createLineHistory } from './line-history.js';
import { createLiveViewBuilder } from './live-view.js';
import type { LiveView, RecentCalls } from './live-view-schema.js';
import { recentCallsOf } from './recent-calls.js';
import { sharedSnapshot } from './shared-snapshot.js';

/** How stale the live view may be: viewers poll every two seconds, so a second keeps it "live". */
export const LIVE_MAX_AGE_MS = 1000;
// The charts move slowly; folding a day of calls every second would be wasted work.
const RECENT_MAX_AGE_MS = 5000;

export interface ConsoleFeed {
  live(): Promise<LiveView>;
  recentCalls(): Promise<RecentCalls>;
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
}): ConsoleFeed {
  const { redis, clock, policy } = deps;
  const history = createLineHistory({ redis, clock });
  const readAlarm = createLineAlarmReader({ redis, clock, threshold: policy.line.alarmFailuresPerMinute });
  const live = sharedSnapshot(createLiveViewBuilder({ ...deps, history, readAlarm }), LIVE_MAX_AGE_MS);
  const recentCalls = sharedSnapshot(async () => {
    await live();
    return recentCallsOf(history.calls(), clock.now());
  }, RECENT_MAX_AGE_MS);
  return { live, recentCalls };
}
