import type { Result } from 'ioredis';
import { UnavailableError } from '../errors.js';
import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * Verified callers waiting for a sysadmin, each in a Twilio queue of their own.
 * Under one `{queue}` hash tag:
 * - `waiting` (sorted set): every caller still to be connected, by tier priority, then
 *   arrival; its rank is the caller's real place in line, across plans.
 * - `callers` (hash): who they are, for the briefing; written once.
 * - `chains` (hash): each caller's paging chain (next sysadmin, the page in flight).
 * - `reservations` (hash): the sysadmin who pressed 1 for them, until when.
 * - `due` (sorted set): when each chain next needs the pager, so a tick reads only
 *   what is due; `seen` (sorted set): the caller's last wait-URL fetch (a heartbeat).
 */
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
});
export type WaitingCaller = z.infer<typeof waitingCallerSchema>;

const pageSchema = z.object({
  sysadminId: z.string(),
  pageCallSid: z.string(),
  state: z.enum(['ringing', 'answered', 'declined']),
});
export type Page = z.infer<typeof pageSchema>;

const chainSchema = z.object({ nextIndex: z.number().int().default(0), page: pageSchema.nullable().default(null) });
export type Chain = z.infer<typeof chainSchema>;

export interface Reservation {
  sysadminId: string;
  agentCallSid: string;
  until: number;
}

export interface WaitingEntry {
  caller: WaitingCaller;
  chain: Chain;
  reservation: Reservation | null;
  /** The last wait-URL fetch (or the enqueue), epoch ms. */
  lastSeen: number;
}

// Higher priority first, then earlier arrival: the score only has to order.
const orderOf = (caller: WaitingCaller): number => -caller.priority * 1e13 + caller.enqueuedAt;

const encodeReservation = (r: Reservation): string => `${String(r.until)}|${r.sysadminId}|${r.agentCallSid}`;
function decodeReservation(value: string | null): Reservation | null {
  if (value === null) return null;
  const [until = '0', sysadminId = '', agentCallSid = ''] = value.split('|');
  return { until: Number(until), sysadminId, agentCallSid };
}

/**
 * Reserves a waiting caller for the sysadmin who pressed 1 after hearing about them: only
 * if the caller still waits and nobody else holds a live reservation, so two sysadmins
 * never take one caller; the same sysadmin's call pressing again (a retried webhook) gets
 * its reservation back. The chain falls due when the reservation runs out: an unbridged
 * reservation goes back to paging by itself.
 * KEYS: waiting, reservations, due  ARGV: deadline, callSid, now, reservation, until, agentCallSid
 * Returns 'reserved', 'taken', 'gone' or {'late'}.
 */
const RESERVE_LUA = `${DEADLINE_GUARD_LUA}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 'gone' end
local current = redis.call('HGET', KEYS[2], ARGV[2])
if current then
  local untilMs, _, agentCall = string.match(current, '^(%d+)|([^|]*)|(.*)$')
  if agentCall ~= ARGV[6] and tonumber(untilMs) > tonumber(ARGV[3]) then return 'taken' end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
return 'reserved'
`;

/**
 * Ends a reservation that did not become a bridge (the Dial found nobody, the sysadmin hung
 * up): only the reserving call's own, and the chain is due at once.
 * KEYS: waiting, reservations, due  ARGV: callSid, agentCallSid, now.  Returns 1 if released.
 */
const RELEASE_LUA = `
local current = redis.call('HGET', KEYS[2], ARGV[1])
if not current or not string.find(current, '|' .. ARGV[2], 1, true) then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1]) end
return 1
`;

/**
 * Takes a due chain for one pager: only if it is due, by moving its due time to the end of
 * a lease, so two instances ticking at once never page for the same caller twice.
 * KEYS: due  ARGV: callSid, now, leaseUntil.  Returns 1 if taken.
 */
const CLAIM_CHAIN_LUA = `
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/**
 * Saves a chain and when it is next due, only while the caller waits and only if the page
 * in flight is still the one the writer saw (compare-and-set on its CallSid, '' for none).
 * KEYS: waiting, chains, due  ARGV: callSid, expectedPageSid, chain JSON, dueAt.  Returns 1 if saved.
 */
const SAVE_CHAIN_LUA = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local current = redis.call('HGET', KEYS[2], ARGV[1])
local seen = ''
if current then
  local page = cjson.decode(current).page
  if type(page) == 'table' then seen = page.pageCallSid end
end
if seen ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    reserveWaitingCaller(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    releaseReservation(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    claimPagingChain(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    savePagingChain(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export function createWaitingCallers(redis: RedisClient) {
  redis.defineCommand('reserveWaitingCaller', { numberOfKeys: 3, lua: RESERVE_LUA });
  redis.defineCommand('releaseReservation', { numberOfKeys: 3, lua: RELEASE_LUA });
  redis.defineCommand('claimPagingChain', { numberOfKeys: 1, lua: CLAIM_CHAIN_LUA });
  redis.defineCommand('savePagingChain', { numberOfKeys: 3, lua: SAVE_CHAIN_LUA });
  const { waitingOrder, waitingCallers, pagingChains, reservations, pagerDue, waitingSeen } = keys;

  async function entries(callSids: string[]): Promise<WaitingEntry[]> {
    if (callSids.length === 0) return [];
    const [callers, chains, held, seen] = await withRedis(() =>
      Promise.all([
        redis.hmget(waitingCallers, ...callSids),
        redis.hmget(pagingChains, ...callSids),
        redis.hmget(reservations, ...callSids),
        redis.zmscore(waitingSeen, ...callSids),
      ]),
    );
    return callSids.flatMap((_sid, i) => {
      const json = callers[i];
      if (json === null || json === undefined) return [];
      const chainJson = chains[i];
      return [
        {
          caller: waitingCallerSchema.parse(JSON.parse(json)),
          chain: chainSchema.parse(chainJson === null || chainJson === undefined ? {} : JSON.parse(chainJson)),
          reservation: decodeReservation(held[i] ?? null),
          lastSeen: Number(seen[i] ?? 0),
        },
      ];
    });
  }

  return {
    /** A verified caller joins: due for paging at once. */
    async add(caller: WaitingCaller, now: number): Promise<void> {
      await withRedis(() =>
        redis
          .multi()
          .zadd(waitingOrder, orderOf(caller), caller.callSid)
          .hset(waitingCallers, caller.callSid, JSON.stringify(caller))
          .hset(pagingChains, caller.callSid, JSON.stringify({ nextIndex: 0, page: null }))
          .zadd(pagerDue, now, caller.callSid)
          .zadd(waitingSeen, now, caller.callSid)
          .exec(),
      );
    },

    /** The caller is no longer waiting (connected, left, hung up, or a ghost). */
    async remove(callSid: string): Promise<void> {
      await withRedis(() =>
        redis
          .multi()
          .zrem(waitingOrder, callSid)
          .hdel(waitingCallers, callSid)
          .hdel(pagingChains, callSid)
          .hdel(reservations, callSid)
          .zrem(pagerDue, callSid)
          .zrem(waitingSeen, callSid)
          .exec(),
      );
    },

    async get(callSid: string): Promise<WaitingEntry | undefined> {
      return (await entries([callSid]))[0];
    },

    /** The first `count` callers in line (priority, then wait). */
    async head(count: number): Promise<WaitingEntry[]> {
      return entries(await withRedis(() => redis.zrange(waitingOrder, '0', String(count - 1))));
    },

    /** Of the first `count` callers in line, the CallSids whose chain is due at `now`. */
    async dueAmongHead(count: number, now: number): Promise<string[]> {
      const head = await withRedis(() => redis.zrange(waitingOrder, '0', String(count - 1)));
      if (head.length === 0) return [];
      const due = await withRedis(() => redis.zmscore(pagerDue, ...head));
      return head.filter((_sid, i) => {
        const at = due[i];
        return at !== null && at !== undefined && Number(at) <= now;
      });
    },

    entries,
    count: () => withRedis(() => redis.zcard(waitingOrder)),

    /** A wait-URL fetch: the caller is still there. Returns their place in line (1-based), or null. */
    async seen(callSid: string, now: number): Promise<number | null> {
      const [rank] = await withRedis(() => Promise.all([redis.zrank(waitingOrder, callSid), redis.zadd(waitingSeen, 'XX', now, callSid)]));
      return rank === null ? null : rank + 1;
    },

    async claimChain(callSid: string, now: number, leaseUntil: number): Promise<boolean> {
      return Number(await withRedis(() => redis.claimPagingChain(pagerDue, callSid, now, leaseUntil))) === 1;
    },

    async saveChain(callSid: string, chain: Chain, expectedPageSid: string, dueAt: number): Promise<boolean> {
      const saved = await withRedis(() =>
        redis.savePagingChain(waitingOrder, pagingChains, pagerDue, callSid, expectedPageSid, JSON.stringify(chain), dueAt),
      );
      return Number(saved) === 1;
    },

    /** Makes a waiting caller's chain due at `at` (no effect once they left). */
    async dueAt(callSid: string, at: number): Promise<void> {
      await withRedis(() => redis.zadd(pagerDue, 'XX', at, callSid));
    },

    async reserve(callSid: string, reservation: Reservation, now: number): Promise<'reserved' | 'taken' | 'gone'> {
      const reply = await withRedis(() =>
        redis.reserveWaitingCaller(
          waitingOrder,
          reservations,
          pagerDue,
          scriptDeadline(),
          callSid,
          now,
          encodeReservation(reservation),
          reservation.until,
          reservation.agentCallSid,
        ),
      );
      if (isLate(reply)) throw new UnavailableError();
      return reply === 'reserved' ? 'reserved' : reply === 'taken' ? 'taken' : 'gone';
    },

    async release(callSid: string, agentCallSid: string, now: number): Promise<boolean> {
      return Number(await withRedis(() => redis.releaseReservation(waitingOrder, reservations, pagerDue, callSid, agentCallSid, now))) === 1;
    },
  };
}

export type WaitingCallers = ReturnType<typeof createWaitingCallers>;
