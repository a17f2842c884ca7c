import { orderOf, storedCaller, WAITING_KEYS, type WaitingCaller } from '../oncall/waiting-callers.js';
import { ownerKey, PIN_KEYS, type PinOwner } from '../pins/pin-store.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { asFlag, asTagged, defineScript, scriptText } from '../redis/scripts.js';
import { CALL_STATE_TTL_MS } from './call-state.js';
import { storedDecision, type Decision } from './decisions.js';

/**
 * A verified caller's admission: the PIN is leased to the call (the caller's first wait-URL fetch
 * confirms it: lua/includes/admit-caller.lua), the caller is held for a sysadmin (the
 * waiting entry the pager pages for) and the call's step records its decision, in one script.
 * So a caller told "connecting you" is paged even if this instance dies the moment it has
 * answered: nothing that makes them paged waits for the process. All keys share `{line}`.
 */

/** The ADMIT table every script that admits a caller is given (lua/includes/admit-caller.lua). */
export const ADMIT_CONSTANTS = { ADMIT: { callTtlMs: String(CALL_STATE_TTL_MS) } };

const ADMIT_CALLER_FILE = new URL('./lua/admit-caller-13.lua', import.meta.url);
/** The admission as Redis receives it (a test watches the wire for it). */
export const ADMIT_CALLER_LUA = scriptText(ADMIT_CALLER_FILE, ADMIT_CONSTANTS);

export interface Admission {
  callSid: string;
  step: string;
  /** The PIN's HMAC, as the guess check computed it. */
  pinHash: string;
  owner: PinOwner;
  caller: WaitingCaller;
  decision: Decision;
  now: number;
  /** Epoch ms (real time) after which Redis must do nothing. */
  notAfter: number;
}

// The PIN arrives as its HMAC (computed once, by the guess check), so no secret is needed here.
export function createAdmissions(redis: RedisClient) {
  const admitCaller = defineScript(redis, ADMIT_CALLER_FILE, asTagged, ADMIT_CONSTANTS);
  const releaseLease = defineScript(redis, new URL('./lua/release-lease-7.lua', import.meta.url), asFlag);
  const keysFor = (callSid: string) => [...PIN_KEYS, keys.call(callSid), ...WAITING_KEYS];

  return {
    /** True when this call leased the PIN and its caller is held; false when the PIN is gone. */
    async admit(a: Admission): Promise<boolean> {
      const [outcome] = await admitCaller(keysFor(a.callSid), [
        scriptDeadline(a.notAfter),
        a.now,
        a.pinHash,
        ownerKey(a.owner),
        a.callSid,
        `step:${a.step}`,
        storedDecision(a.decision),
        orderOf(a.caller),
        storedCaller(a.caller),
        a.owner.accountId,
        a.owner.userId,
      ]);
      return outcome === 'ok';
    },

    /**
     * The call ended: if its caller never fetched the wait URL (they heard the apology instead, or
     * hung up during "connecting you"), the PIN their admission leased is live again.
     */
    release: (callSid: string, now: number): Promise<boolean> => releaseLease([...PIN_KEYS, keys.call(callSid)], [callSid, now]),
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
