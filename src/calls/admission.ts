import type { RedisClient } from '../redis/connect-redis.js';
import { keys, PIN_KEYS } from '../redis/keys.js';
import { asFlag, defineScript } from '../redis/scripts.js';
import { CALL_STATE_TTL_MS } from './call-state.js';

/**
 * A verified caller's admission is part of the PIN step's script (lua/check-pin-step-21.lua,
 * lua/includes/admit-caller.lua): the PIN is leased to the call, the caller is held for a
 * sysadmin (the waiting entry the pager pages for) and the call's step records its decision,
 * in one script. So a caller told "connecting you" is paged even if this instance dies the
 * moment it has answered: nothing that makes them paged waits for the process. The caller's
 * first wait-URL fetch confirms the lease; the call ending before that releases it (here).
 */

/** The ADMIT table every script that admits a caller is given (lua/includes/admit-caller.lua). */
export const ADMIT_CONSTANTS = { ADMIT: { callTtlMs: String(CALL_STATE_TTL_MS) } };

export function createAdmissions(redis: RedisClient) {
  const releaseLease = defineScript(redis, new URL('./lua/release-lease-7.lua', import.meta.url), asFlag);
  return {
    /**
     * The call ended: if its caller never fetched the wait URL (they heard the apology instead, or
     * hung up during "connecting you"), the PIN their admission leased is live again.
     */
    release: (callSid: string, now: number): Promise<boolean> => releaseLease([...PIN_KEYS, keys.call(callSid)], [callSid, now]),
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
