import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * Callers waiting in a Twilio queue, as callgate knows them: who they are (for
 * the sysadmin's briefing), their priority, and the state of their paging
 * chain. Ordered by tier priority, then by how long they have waited.
 */
const pageSchema = z.object({
  sysadminId: z.string(),
  pageCallSid: z.string(),
  until: z.number(),
  state: z.enum(['ringing', 'answered', 'accepted', 'declined']),
});
export type Page = z.infer<typeof pageSchema>;

export const waitingCallerSchema = z.object({
  callSid: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  userId: z.string(),
  userName: z.string(),
  isAdminContact: z.boolean(),
  adminContactName: z.string().nullable(),
  tier: z.string(),
  priority: z.number(),
  enqueuedAt: z.number(),
  /** Index in the escalation list of the next sysadmin to page. */
  nextIndex: z.number().int().default(0),
  page: pageSchema.nullable().default(null),
});
export type WaitingCaller = z.infer<typeof waitingCallerSchema>;

/**
 * Why a sysadmin is not paged right now: their phone is ringing (or they are listening to a
 * briefing), they are on a call, or they just declined and rest for a ring time.
 */
const busySchema = z.object({
  pageCallSid: z.string(),
  until: z.number(),
  kind: z.enum(['ringing', 'connected', 'resting']).default('ringing'),
});
export type Busy = z.input<typeof busySchema>;

// Sorts higher priority first, then earlier arrival: the score only has to order, not mean anything.
const orderOf = (caller: WaitingCaller): number => -caller.priority * 1e13 + caller.enqueuedAt;

/** Saves a caller's paging state only while the caller is still waiting. KEYS: order, callers. */
export const SAVE_WAITING_CALLER_LUA = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) return 1 end
return 0
`;

/**
 * Claims a waiting caller for a sysadmin who pressed 1: only if the caller is still waiting
 * and nobody has accepted them yet, so two sysadmins pressing 1 at once never take the same
 * caller. KEYS: order, callers  ARGV: callSid, caller JSON with the accepted page. Returns 1 or 0.
 */
export const CLAIM_WAITING_CALLER_LUA = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current then
  local page = cjson.decode(current).page
  if type(page) == 'table' and page.state == 'accepted' then return 0 end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

export function createWaitingCallers(redis: RedisClient) {
  async function all(): Promise<WaitingCaller[]> {
    const ids = await withRedis(() => redis.zrange(keys.waitingOrder, '0', '-1'));
    if (ids.length === 0) return [];
    const values = await withRedis(() => redis.hmget(keys.waitingCallers, ...ids));
    return values.flatMap((json) => (json === null ? [] : [waitingCallerSchema.parse(JSON.parse(json))]));
  }

  return {
    all,
    async add(caller: WaitingCaller): Promise<void> {
      await withRedis(() =>
        redis
          .multi()
          .zadd(keys.waitingOrder, orderOf(caller), caller.callSid)
          .hset(keys.waitingCallers, caller.callSid, JSON.stringify(caller))
          .exec(),
      );
    },
    async save(caller: WaitingCaller): Promise<void> {
      await withRedis(() =>
        redis.saveWaitingCaller(keys.waitingOrder, keys.waitingCallers, caller.callSid, JSON.stringify(caller)),
      );
    },
    /** True when `caller` (carrying its accepted page) was still free and is now claimed. */
    async claim(caller: WaitingCaller): Promise<boolean> {
      const claimed = await withRedis(() =>
        redis.claimWaitingCaller(keys.waitingOrder, keys.waitingCallers, caller.callSid, JSON.stringify(caller)),
      );
      return Number(claimed) === 1;
    },
    async remove(callSid: string): Promise<void> {
      await withRedis(() =>
        redis.multi().zrem(keys.waitingOrder, callSid).hdel(keys.waitingCallers, callSid).exec(),
      );
    },
    async busy(now: number): Promise<Map<string, Busy>> {
      const hash = await withRedis(() => redis.hgetall(keys.busySysadmins));
      const entries = Object.entries(hash).map(([id, json]) => [id, busySchema.parse(JSON.parse(json))] as const);
      return new Map(entries.filter(([, busy]) => busy.until > now));
    },
    async setBusy(sysadminId: string, busy: Busy): Promise<void> {
      await withRedis(() => redis.hset(keys.busySysadmins, sysadminId, JSON.stringify(busy)));
    },
    async clearBusy(sysadminId: string): Promise<void> {
      await withRedis(() => redis.hdel(keys.busySysadmins, sysadminId));
    },
  };
}

export type WaitingCallers = ReturnType<typeof createWaitingCallers>;
