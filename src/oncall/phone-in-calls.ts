import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * The verification call of each sysadmin phoning in: at most one in flight, so a second call
 * from their number while it rings (the sysadmin calling again, or a spoofer) rings nobody
 * twice and blocks nobody: the real sysadmin answers the call that rings.
 *
 * Per sysadmin one value: `pending|<inbound CallSid>` while the call from their number is
 * still up (callgate rings back only once it has ended, when the phone is free), then
 * `ringing|<claim or CallSid>` while the call callgate placed rings or runs. Every change
 * names the value it expects, so a late callback of an earlier call changes nothing.
 * Keys in the `{oncall}` slot, beside the rota.
 */
const slotKey = (sysadminId: string) => `callgate:{oncall}:phone-in:${sysadminId}`;
const inboundKey = (inboundSid: string) => `callgate:{oncall}:phone-in-from:${inboundSid}`;

/**
 * A call from the sysadmin's number: remembered unless a verification call is in flight.
 * KEYS: slot, inbound  ARGV: inbound value, sysadminId, ttl ms.  Returns 1 if remembered.
 */
const ASKED_LUA = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, 8) == 'ringing|' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Replaces the slot's value only if it is still `expected` ('' as next: deletes it).
 * KEYS: slot  ARGV: expected, next, ttl ms.  Returns 1 if changed.
 */
const SWAP_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    phoneInAsked(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    phoneInSwap(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export function createPhoneInCalls(redis: RedisClient) {
  redis.defineCommand('phoneInAsked', { numberOfKeys: 2, lua: ASKED_LUA });
  redis.defineCommand('phoneInSwap', { numberOfKeys: 1, lua: SWAP_LUA });
  const swap = async (sysadminId: string, expected: string, next: string, ttlMs: number): Promise<boolean> =>
    Number(await withRedis(() => redis.phoneInSwap(slotKey(sysadminId), expected, next, ttlMs))) === 1;

  return {
    /** A call from the sysadmin's number; false if their verification call already rings. */
    async asked(sysadminId: string, inboundSid: string, ttlMs: number): Promise<boolean> {
      return Number(await withRedis(() => redis.phoneInAsked(slotKey(sysadminId), inboundKey(inboundSid), `pending|${inboundSid}`, sysadminId, ttlMs))) === 1;
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
