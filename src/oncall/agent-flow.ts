import type { AuditLog } from '../audit/audit-log.js';
import type { Briefing, Decision } from '../calls/decisions.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { OncallStore } from './oncall-store.js';
import type { Pager } from './pager.js';
import type { WaitingCaller, WaitingCallers } from './waiting-callers.js';

// How long a sysadmin who answered a page has to listen and press 1 before the chain moves on.
const BRIEFING_MS = 45_000;
// A sysadmin connected to a caller stays busy until their call's status callback says it ended.
const CONNECTED_MS = 4 * 3_600_000;

/**
 * The sysadmin's side of a call, SPEC section 5: the briefing about the caller
 * at the head of the queue, press 1 to accept (anything else, or a voicemail's
 * silence, declines), the bridge, and the end of a page.
 */
export function createAgentFlow(deps: {
  waiting: WaitingCallers;
  oncall: OncallStore;
  pager: Pager;
  clock: Clock;
  audit: AuditLog;
  log: Logger;
  /** How long a sysadmin who declined is left alone (a ring time). */
  restMs: number;
}) {
  const { waiting, oncall, pager, clock, audit, log, restMs } = deps;

  function briefingOf(caller: WaitingCaller, everyone: WaitingCaller[], now: number): Briefing {
    return {
      accountName: caller.accountName,
      userName: caller.userName,
      isAdminContact: caller.isAdminContact,
      adminContactName: caller.adminContactName,
      tier: caller.tier,
      waitSeconds: Math.max(0, Math.round((now - caller.enqueuedAt) / 1000)),
      othersWaiting: everyone.length - 1,
    };
  }

  /** Moves the paging chain on, without making the webhook wait for it. */
  function nudgePager(): void {
    pager.tick().catch((error: unknown) => {
      log.warn({ err: error }, 'paging tick failed');
    });
  }

  /** A page not taken: the chain moves on, and the sysadmin rests a ring time before being paged again. */
  async function decline(sysadminId: string, pageCallSid: string, reason: string): Promise<void> {
    const now = clock.now();
    const paged = (await waiting.all()).find(
      (caller) => caller.page?.pageCallSid === pageCallSid && ['ringing', 'answered'].includes(caller.page.state),
    );
    if (paged?.page != null) {
      paged.page = { ...paged.page, state: 'declined', until: now };
      await Promise.all([
        waiting.save(paged),
        waiting.setBusy(sysadminId, { pageCallSid, until: now + restMs, kind: 'resting' }),
        audit.record({ type: 'declined', callSid: paged.callSid, accountId: paged.accountId, sysadminId, reason }),
      ]);
    }
    nudgePager();
  }

  return {
    /** Whether a caller's number is a sysadmin's registered phone: they take calls instead of giving a PIN. */
    async sysadminByPhone(phone: string): Promise<string | undefined> {
      return (await oncall.list()).find((sysadmin) => sysadmin.phone === phone)?.id;
    },

    /** A sysadmin is on the line (answering a page, or phoning in): who is waiting? */
    async brief(sysadminId: string, agentCallSid: string): Promise<Decision> {
      const now = clock.now();
      const everyone = await waiting.all();
      const head = everyone.find((caller) => caller.page?.state !== 'accepted');
      const paged = everyone.find((caller) => caller.page?.pageCallSid === agentCallSid);
      if (paged?.page != null && paged.page.state === 'ringing') {
        // Answered: give them time to listen before the chain moves on.
        paged.page = { ...paged.page, state: 'answered', until: now + BRIEFING_MS };
        await waiting.save(paged);
        await waiting.setBusy(sysadminId, { pageCallSid: agentCallSid, until: now + BRIEFING_MS, kind: 'ringing' });
      }
      if (head === undefined) return { kind: 'agent_nobody_waiting' };
      return { kind: 'agent_briefing', sysadminId, about: head.callSid, briefing: briefingOf(head, everyone, now) };
    },

    /** The digits the sysadmin pressed after the briefing. */
    async answer(call: { sysadminId: string; agentCallSid: string; digits: string; about: string }): Promise<Decision> {
      if (call.digits !== '1') {
        await decline(call.sysadminId, call.agentCallSid, call.digits === '' ? 'no_input' : 'pressed_other_key');
        return { kind: 'agent_goodbye' };
      }
      const now = clock.now();
      const everyone = await waiting.all();
      const page = { sysadminId: call.sysadminId, pageCallSid: call.agentCallSid, until: now + CONNECTED_MS, state: 'accepted' as const };
      // The first caller, in queue order, that this sysadmin manages to claim.
      let head: WaitingCaller | undefined;
      for (const caller of everyone.filter((waitingCaller) => waitingCaller.page?.state !== 'accepted')) {
        if (await waiting.claim({ ...caller, page })) {
          head = { ...caller, page };
          break;
        }
      }
      if (head === undefined) {
        await waiting.clearBusy(call.sysadminId);
        return { kind: 'agent_nobody_waiting' };
      }
      await Promise.all([
        waiting.setBusy(call.sysadminId, { pageCallSid: call.agentCallSid, until: now + CONNECTED_MS, kind: 'connected' }),
        audit.record({ type: 'accepted', callSid: head.callSid, accountId: head.accountId, sysadminId: call.sysadminId }),
      ]);
      return {
        kind: 'agent_connect',
        sysadminId: call.sysadminId,
        tier: head.tier,
        ...(head.callSid === call.about ? {} : { changedTo: briefingOf(head, everyone, now) }),
      };
    },

    /** Twilio is about to bridge the queued caller with a sysadmin (the <Queue> url). */
    async bridged(callerCallSid: string, sysadminId: string): Promise<Decision> {
      const caller = (await waiting.all()).find((waitingCaller) => waitingCaller.callSid === callerCallSid);
      await Promise.all([
        waiting.remove(callerCallSid),
        audit.record({
          type: 'connected',
          callSid: callerCallSid,
          sysadminId,
          ...(caller === undefined
            ? {}
            : {
                accountId: caller.accountId,
                userId: caller.userId,
                waitSeconds: Math.max(0, Math.round((clock.now() - caller.enqueuedAt) / 1000)),
              }),
        }),
      ]);
      return { kind: 'caller_connected' };
    },

    /** A page call ended (status callback): an unanswered page moves the chain on; after a call the sysadmin is free. */
    async pageEnded(call: { sysadminId: string; agentCallSid: string; callStatus: string }): Promise<void> {
      const busy = (await waiting.busy(clock.now())).get(call.sysadminId);
      if (busy?.kind === 'connected' && busy.pageCallSid === call.agentCallSid) await waiting.clearBusy(call.sysadminId);
      await decline(call.sysadminId, call.agentCallSid, call.callStatus);
    },

    nudgePager,
  };
}

export type AgentFlow = ReturnType<typeof createAgentFlow>;
