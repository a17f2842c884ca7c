import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Policy } from '../policy/policy-schema.js';
import type { AgentCalls } from './agent-calls.js';
import type { AgentUrls } from './agent-urls.js';
import type { BusySysadmins } from './busy-sysadmins.js';
import type { Sysadmin } from './oncall-schema.js';
import type { PageOutcomes } from './page-outcomes.js';
import { PageError, REST_TIMEOUT_MS, TWILIO_EXTRA_RING_MS, type Dialer } from './twilio-dialer.js';
import type { WaitingCallers, WaitingEntry } from './waiting-callers.js';

// A sysadmin whose page Twilio refused is not paged again for this long.
const FAILED_PAGE_REST_MS = 10_000;
// The answered page's webhook takes a moment after the ring.
const ANSWER_MARGIN_MS = 5_000;

export interface PlacementDeps {
  waiting: WaitingCallers;
  busy: BusySysadmins;
  agentCalls: AgentCalls;
  dialer: Dialer;
  clock: Clock;
  policy: Policy;
  audit: AuditLog;
  log: Logger;
  urls: AgentUrls;
  metrics: Metrics;
  /** Settles a page whose call ended before the page was recorded. */
  outcomes: Pick<PageOutcomes, 'callEnded'>;
}

/** Placing one page for one waiting caller; a failed REST call moves the chain on at once. */
export function createPagePlacement(deps: PlacementDeps & { requestTick: () => void }) {
  const { waiting, busy, agentCalls, dialer, clock, policy, audit, log, urls, metrics, requestTick } = deps;
  // How long a placed page keeps its sysadmin (and its chain) before the chain moves on without news.
  const pageWindowMs = policy.oncall.ringSeconds * 1000 + TWILIO_EXTRA_RING_MS + ANSWER_MARGIN_MS;

  /** Claims the first free sysadmin in rota order from the chain's next index. */
  async function claimSysadmin(entry: WaitingEntry, list: readonly Sysadmin[], free: Set<string>, now: number) {
    for (let tried = 0; tried < list.length; tried += 1) {
      const index = (entry.chain.nextIndex + tried) % list.length;
      const sysadmin = list[index];
      if (sysadmin === undefined || !free.has(sysadmin.id)) continue;
      free.delete(sysadmin.id);
      const token = `claim:${randomUUID()}`;
      // Until covers a REST call that times out yet rings: the phone is not rung twice.
      const claimed = await busy.claim(sysadmin.id, { kind: 'ringing', callSid: token, until: now + REST_TIMEOUT_MS + pageWindowMs }, now);
      if (claimed) return { sysadmin, index, token };
    }
    return undefined;
  }

  async function page(entry: WaitingEntry, claim: { sysadmin: Sysadmin; index: number; token: string }): Promise<void> {
    const { caller, chain } = entry;
    const { sysadmin, index, token } = claim;
    const expected = chain.page?.pageCallSid ?? '';
    let pageCallSid: string;
    try {
      pageCallSid = await dialer.placeCall({
        to: sysadmin.phone,
        url: urls.page(sysadmin.id, caller.callSid),
        statusCallback: urls.pageStatus(sysadmin.id, caller.callSid),
        ringSeconds: policy.oncall.ringSeconds,
      });
    } catch (error) {
      const outcome = error instanceof PageError ? error.outcome : 'refused';
      metrics.pagingAttempts.inc({ result: 'failed' });
      log.warn({ err: error, callSid: caller.callSid, sysadminId: sysadmin.id, outcome }, 'paging failed: trying the next sysadmin');
      // Refused: no call exists; the sysadmin rests a moment (no hot loop against a failing API).
      // Unknown: it may ring, so they stay busy for the whole ring.
      if (outcome === 'refused') await busy.replaceIf(sysadmin.id, token, { kind: 'resting', callSid: token, until: clock.now() + FAILED_PAGE_REST_MS });
      const declined = chain.page === null ? null : { ...chain.page, state: 'declined' as const };
      const failed = { nextIndex: index + 1, page: declined, failedInARow: chain.failedInARow + 1 };
      await waiting.saveChain(caller.callSid, failed, expected, clock.now());
      requestTick();
      return;
    }
    // The page is placed: from here a failure (Redis) is not a failed page. The sysadmin's claim and
    // the chain's lease then run out by themselves, and the page's own callbacks still settle it.
    metrics.pagingAttempts.inc({ result: 'placed' });
    const until = clock.now() + pageWindowMs;
    await agentCalls.start(pageCallSid, { sysadminId: sysadmin.id, via: 'page', forCaller: caller.callSid });
    const ringing = { sysadminId: sysadmin.id, pageCallSid, state: 'ringing' as const };
    await Promise.all([
      busy.replaceIf(sysadmin.id, token, { kind: 'ringing', callSid: pageCallSid, until }),
      waiting.saveChain(caller.callSid, { nextIndex: index + 1, page: ringing, failedInARow: 0 }, expected, until),
      audit.record({ type: 'paged', callSid: caller.callSid, accountId: caller.accountId, sysadminId: sysadmin.id }),
    ]);
    log.info({ callSid: caller.callSid, sysadminId: sysadmin.id, pageCallSid }, 'paged a sysadmin');
    // The page may have ended (busy, failed) before it was recorded: settle it now.
    const call = await agentCalls.get(pageCallSid);
    if (call?.ended === true) await deps.outcomes.callEnded(pageCallSid, 'ended_early', 'page');
  }

  return { claimSysadmin, page };
}
