import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, defineScript } from '../redis/scripts.js';

// One verification call at a time per sysadmin: `pending|<inbound CallSid>`, then `ringing|<claim or
// CallSid>`; each change names the value it expects, so a late callback of an earlier call changes nothing.
const slotKey = (sysadminId: string) => `callgate:{oncall}:phone-in:${sysadminId}`;
const inboundKey = (inboundSid: string) => `callgate:{oncall}:phone-in-from:${inboundSid}`;

export function createPhoneInCalls(redis: RedisClient) {
  const phoneInAsked = defineScript(redis, new URL('./lua/phone-in-asked-2.lua', import.meta.url), asFlag);
  const phoneInSwap = defineScript(redis, new URL('./lua/phone-in-swap-1.lua', import.meta.url), asFlag);
  const swap = (sysadminId: string, expected: string, next: string, ttlMs: number): Promise<boolean> =>
    phoneInSwap([slotKey(sysadminId)], [expected, next, ttlMs]);

  return {
    /** A call from the sysadmin's number; false if their verification call already rings. */
    async asked(sysadminId: string, inboundSid: string, ttlMs: number): Promise<boolean> {
      return phoneInAsked([slotKey(sysadminId), inboundKey(inboundSid)], [`pending|${inboundSid}`, sysadminId, ttlMs]);
    },
    /** The call from the number ended: whose it was, if callgate is to ring them back now (claimed by `claim`). */
    async hungUp(inboundSid: string, claim: string, ttlMs: number): Promise<string | undefined> {
      const sysadminId = await withRedis(() => redis.get(inboundKey(inboundSid)));
      if (sysadminId === null) return undefined;
      return (await swap(sysadminId, `pending|${inboundSid}`, `ringing|${claim}`, ttlMs)) ? sysadminId : undefined;
    },
    /** The verification call was placed: the slot names it from now on. */
    placed: (sysadminId: string, claim: string, callSid: string, ttlMs: number) => swap(sysadminId, `ringing|${claim}`, `ringing|${callSid}`, ttlMs),
    /** The verification call (or its claim, when placing failed) is over. */
    ended: (sysadminId: string, callSidOrClaim: string) => swap(sysadminId, `ringing|${callSidOrClaim}`, '', 0),
  };
}

export type PhoneInCalls = ReturnType<typeof createPhoneInCalls>;
