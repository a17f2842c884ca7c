import { afterAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createAgentCalls } from '../../src/oncall/agent-calls.js';
import { createBusySysadmins } from '../../src/oncall/busy-sysadmins.js';
import { createPageOutcomes } from '../../src/oncall/page-outcomes.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { givenWaitingCaller } from './oncall-helpers.js';

/**
 * A page's status callback may come late (https://www.twilio.com/docs/voice/api/call-resource#statuscallback:
 * callbacks are sent as the call moves, with no promise of when they arrive), after the pager has moved on
 * from that page: its outcome must not put back the chain the pager saved meanwhile.
 */
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

describe("a page's late outcome", () => {
  it('when the pager saved a failed page after the outcome read the chain, then the outcome keeps its count and next sysadmin', async () => {
    const t = await buildTestApp();
    apps.push(t);
    const { call } = await givenWaitingCaller(t);
    const waiting = createWaitingCallers(t.redis);
    const now = t.clock.now();
    const ringing = { sysadminId: 'alice', pageCallSid: `CA${'a'.repeat(32)}`, state: 'ringing' as const };
    expect(await waiting.saveChain(call.callSid, { nextIndex: 1, page: ringing, failedInARow: 0 }, '', now)).toBe(true);
    // The pager's next page (to bob) fails while the outcome is between its read and its save.
    const pagerMovesOn = () =>
      waiting.saveChain(call.callSid, { nextIndex: 2, page: { ...ringing, state: 'declined' }, failedInARow: 1 }, ringing.pageCallSid, now);
    const outcomes = createPageOutcomes({
      waiting: { ...waiting, get: (callSid: string) => waiting.get(callSid).finally(pagerMovesOn) },
      busy: createBusySysadmins(t.redis),
      agentCalls: createAgentCalls(t.redis),
      audit: createAuditLog({ redis: t.redis, clock: t.clock, log: createLogger({ level: 'silent' }), metrics: createMetrics() }),
      clock: t.clock,
      restMs: 15_000,
      nudge: () => undefined,
    });

    await outcomes.declined('alice', call.callSid, ringing.pageCallSid, 'no-answer');

    expect((await waiting.get(call.callSid))?.chain).toEqual({ nextIndex: 2, page: { ...ringing, state: 'declined' }, failedInARow: 1 });
    expect((await waiting.atWaitFetch(call.callSid, now))?.failedInARow).toBe(1);
  });
});
