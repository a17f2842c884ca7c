import type { RedisClient } from '../redis/connect-redis.js';
import { keys, PIN_KEYS } from '../redis/keys.js';
import { asFlag, defineScript } from '../redis/scripts.js';

// A caller is admitted inside the PIN step's script (lua/includes/admit-caller.lua), the PIN leased to
// the call; their first wait-URL fetch confirms the lease, and their call ending before that releases it.
export function createAdmissions(redis: RedisClient) {
  const releaseLease = defineScript(redis, new URL('./lua/release-lease-7.lua', import.meta.url), asFlag);
  return {
    /** The call ended before its caller fetched the wait URL: the PIN their admission leased is live again. */
    release: (callSid: string, now: number): Promise<boolean> =>
      releaseLease([...PIN_KEYS, keys.call(callSid)], [callSid, now]),
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
