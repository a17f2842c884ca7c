import { orderOf, WAITING_KEYS, type WaitingCaller } from '../oncall/waiting-callers.js';
import { ownerKey, PIN_KEYS, UNDO_WINDOW_MS, type PinOwner } from '../pins/pin-store.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { asTagged, defineScript, scriptText } from '../redis/scripts.js';
import { CALL_STATE_TTL_MS } from './call-state.js';
import type { Decision } from './decisions.js';

/**
 * A verified caller's admission: the PIN is used up, the caller is held for a sysadmin (the
 * waiting entry the pager pages for) and the call's step records its decision, in one script.
 * So a caller told "connecting you" is paged even if this instance dies the moment it has
 * answered: nothing that makes them paged waits for the process. All keys share `{line}`.
 */

export { UNDO_WINDOW_MS };

/** The ADMIT table every script that admits a caller is given (lua/includes/admit-caller.lua). */
export const ADMIT_CONSTANTS = { ADMIT: { keepMs: String(UNDO_WINDOW_MS), callTtlMs: String(CALL_STATE_TTL_MS) } };

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
  /** The request's own mark (a random id): only the request that admitted may give the admission back. */
  token: string;
}

// The PIN arrives as its HMAC (computed once, by the guess check), so no secret is needed here.
export function createAdmissions(redis: RedisClient) {
  const admitCaller = defineScript(redis, ADMIT_CALLER_FILE, asTagged, ADMIT_CONSTANTS);
  const giveBackAdmission = defineScript(redis, new URL('./lua/give-back-admission-13.lua', import.meta.url), asTagged);
  const keysFor = (callSid: string) => [...PIN_KEYS, keys.call(callSid), ...WAITING_KEYS];

  return {
    /** True when this call used the PIN up and its caller is held; false when the PIN is gone. */
    async admit(a: Admission): Promise<boolean> {
      const [outcome] = await admitCaller(keysFor(a.callSid), [
        scriptDeadline(a.notAfter),
        a.now,
        a.pinHash,
        ownerKey(a.owner),
        a.callSid,
        `step:${a.step}`,
        JSON.stringify(a.decision),
        orderOf(a.caller),
        JSON.stringify(a.caller),
        a.owner.accountId,
        a.owner.userId,
        a.token,
      ]);
      return outcome === 'ok';
    },

    /**
     * Undoes the admission the request marked `token` made at `callSid`'s step (see
     * lua/give-back-admission-13.lua), if it made one; true when the PIN is live again.
     */
    async giveBack(g: { callSid: string; step: string; now: number; token: string }): Promise<boolean> {
      const apology: Decision = { kind: 'apology' };
      const [outcome] = await giveBackAdmission(keysFor(g.callSid), [g.now, g.callSid, `step:${g.step}`, JSON.stringify(apology), g.token]);
      return outcome === 'restored';
    },
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
