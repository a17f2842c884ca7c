import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { SupportHours } from '../hours/support-hours.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import type { Sysadmin } from './oncall-schema.js';
import type { OncallStore } from './oncall-store.js';
import type { Dialer } from './twilio-dialer.js';
import type { Busy, WaitingCaller, WaitingCallers } from './waiting-callers.js';

/**
 * Pages the on-call list for every waiting caller, SPEC section 5. `tick()`
 * looks at every waiting caller and advances each paging chain that is due:
 * the first sysadmin first, the next when a page was not accepted within the
 * ring time (or failed), round again while the caller waits. Any instance may
 * tick; a lock in Redis makes one tick run at a time across all of them, so
 * each caller has exactly one paging chain. Ticks come after each enqueue and
 * page outcome, and from a timer.
 */

/** Deletes the lock only if it is still ours. KEYS: lock  ARGV: token */
export const RELEASE_LOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const LOCK_MS = 30_000;

export interface PagerDeps {
  redis: RedisClient;
  waiting: WaitingCallers;
  oncall: OncallStore;
  dialer: Dialer;
  hours: SupportHours;
  clock: Clock;
  policy: Policy;
  audit: AuditLog;
  log: Logger;
  urls: { agent: (sysadminId: string) => string; agentStatus: (sysadminId: string) => string };
  metrics?: Metrics;
}

export function createPager(deps: PagerDeps) {
  const { redis, waiting, oncall, dialer, hours, clock, policy, audit, log, urls, metrics } = deps;
  const ringMs = policy.oncall.ringSeconds * 1000;

  /** Whether the caller's chain should page someone now. */
  function due(caller: WaitingCaller, now: number): boolean {
    if (!hours.isOpen(caller.tier, now)) return false;
    const page = caller.page;
    if (page === null || page.state === 'declined') return true;
    if (page.state === 'accepted') return false;
    return now >= page.until;
  }

  async function pageNextSysadmin(caller: WaitingCaller, list: Sysadmin[], busy: Map<string, Busy>, now: number): Promise<void> {
    const start = caller.nextIndex;
    for (let tried = 0; tried < list.length; tried += 1) {
      const index = (start + tried) % list.length;
      const sysadmin = list[index];
      if (sysadmin === undefined || busy.has(sysadmin.id)) continue;
      caller.nextIndex = index + 1;
      try {
        const pageCallSid = await dialer.placeCall({
          to: sysadmin.phone,
          url: urls.agent(sysadmin.id),
          statusCallback: urls.agentStatus(sysadmin.id),
          ringSeconds: policy.oncall.ringSeconds,
        });
        metrics?.pagingAttempts.inc({ result: 'placed' });
        const until = clock.now() + ringMs;
        caller.page = { sysadminId: sysadmin.id, pageCallSid, until, state: 'ringing' };
        busy.set(sysadmin.id, { pageCallSid, until });
        await waiting.setBusy(sysadmin.id, { pageCallSid, until, kind: 'ringing' });
        await audit.record({ type: 'paged', callSid: caller.callSid, accountId: caller.accountId, sysadminId: sysadmin.id });
        log.info({ callSid: caller.callSid, sysadminId: sysadmin.id, pageCallSid }, 'paged a sysadmin');
        return;
      } catch (error) {
        metrics?.pagingAttempts.inc({ result: 'failed' });
        log.warn({ err: error, callSid: caller.callSid, sysadminId: sysadmin.id }, 'paging failed: trying the next sysadmin');
      }
    }
    // Everyone is busy or unreachable: leave the page as it is; the next tick tries again.
    caller.page = caller.page === null ? null : { ...caller.page, state: 'declined', until: now };
  }

  async function tickOnce(): Promise<void> {
    const token = randomUUID();
    const locked = await redis.set(keys.pagerLock, token, 'PX', LOCK_MS, 'NX');
    if (locked === null) return;
    try {
      const now = clock.now();
      const callers = await waiting.all();
      if (callers.length === 0) return;
      const [list, busy] = await Promise.all([oncall.list(), waiting.busy(now)]);
      for (const caller of callers) {
        if (!due(caller, now)) continue;
        await pageNextSysadmin(caller, list, busy, now);
        await waiting.save(caller);
      }
    } finally {
      await redis.releaseLock(keys.pagerLock, token);
    }
  }

  let running: Promise<void> | undefined;
  let requested = 0;

  return {
    /** Advances every paging chain that is due. Calls during a tick make one more tick after it. */
    async tick(): Promise<void> {
      requested += 1;
      running ??= (async () => {
        for (let done = 0; done < requested; ) {
          done = requested;
          await tickOnce();
        }
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

export type Pager = ReturnType<typeof createPager>;
