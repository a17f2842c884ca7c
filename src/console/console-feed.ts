import { performance } from 'node:perf_hooks';
import type { DirectoryStore } from '../directory/directory-store.js';
import { createAttentionBuilder, type AttentionDeps } from './attention.js';
import { createLineHistory } from './line-history.js';
import { createLiveViewBuilder, type LiveViewDeps } from './live-view.js';
import type { LineCall } from './live-view-schema.js';
import { namesOf, recentCallsOf, refsOf } from './recent-calls.js';

// The live view is pushed every second, so a second keeps it "live".
const LIVE_MAX_AGE_MS = 1000;
// The charts move slowly; folding a day of calls every second would be wasted work.
const RECENT_MAX_AGE_MS = 5000;
// Missed callers, dead letters and the guessing bound change rarely; a redelivery shows in the page at once.
const ATTENTION_MAX_AGE_MS = 3000;

/**
 * One value for every viewer, rebuilt when asked at most once per `maxAgeMs` (and once at a time),
 * so Redis reads depend on time, not on how many watch. A failed rebuild is not kept.
 */
function sharedSnapshot<T>(build: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
  let latest: { value: T; builtAt: number } | undefined;
  let building: Promise<T> | undefined;

  return () => {
    if (latest !== undefined && performance.now() - latest.builtAt < maxAgeMs) return Promise.resolve(latest.value);
    building ??= build()
      .then((value) => {
        latest = { value, builtAt: performance.now() };
        return value;
      })
      .finally(() => {
        building = undefined;
      });
    return building;
  };
}

/**
 * What the on-call console shows, built once per instance and shared by every viewer. The recent
 * calls are folded from the line history the live view keeps current: no Redis reads of their own.
 */
export function createConsoleFeed(
  deps: Omit<LiveViewDeps, 'history' | 'names'> & {
    directory: Pick<DirectoryStore, 'names'>;
    needs: Pick<AttentionDeps, 'missed' | 'deadLetters' | 'standing'>;
  },
) {
  const { redis, clock, policy, oncall } = deps;
  const history = createLineHistory({ redis, clock });
  const { names } = deps.directory;
  const live = sharedSnapshot(createLiveViewBuilder({ ...deps, history, names }), LIVE_MAX_AGE_MS);
  const recentCalls = sharedSnapshot(async () => {
    const view = await live();
    const recent = recentCallsOf(history.calls(), clock.now());
    const known = await names(recent.calls.flatMap(({ accountId, userId }) => refsOf(accountId, userId)));
    const rota = new Map(view.sysadmins.map((s) => [s.id, s.name]));
    // Named from the directory and the rota (null: no longer there). Field by field: the account history's
    // voicemail and callback are not the console's to show.
    const calls = recent.calls.map((call): LineCall => ({
      callSid: call.callSid,
      startedAt: call.startedAt,
      accountId: call.accountId,
      userId: call.userId,
      ...namesOf(known, call.accountId, call.userId),
      outcome: call.outcome,
      reason: call.reason,
      waitSeconds: call.waitSeconds,
      durationSeconds: call.durationSeconds,
      sysadminId: call.sysadminId,
      sysadminName: call.sysadminId === null ? null : (rota.get(call.sysadminId) ?? null),
    }));
    return { ...recent, calls };
  }, RECENT_MAX_AGE_MS);
  const attention = sharedSnapshot(createAttentionBuilder({ ...deps.needs, oncall, names, policy, clock }), ATTENTION_MAX_AGE_MS);
  return { live, recentCalls, attention };
}

export type ConsoleFeed = ReturnType<typeof createConsoleFeed>;
