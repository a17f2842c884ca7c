import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

/**
 * Why a sysadmin is not paged right now, and until when: their phone is ringing, they are
 * listening to a briefing, on a call with a customer, on the line having phoned in, or
 * resting after declining. Each entry names the call it belongs to, so the end of that
 * call (its status callback) frees them, and nothing else does. `until` is a safety net
 * for a callback that never comes, not the normal way out.
 */
export type BusyKind = 'ringing' | 'briefing' | 'connected' | 'on_line' | 'resting';

export interface Busy {
  kind: BusyKind;
  /** The page call or the sysadmin's own inbound call. */
  callSid: string;
  until: number;
  /** When callgate last heard from that call (its last webhook), if it has: see `silentSince`. */
  heardAt?: number;
}

// Written last, so an entry of an earlier version (three fields) still decodes.
const encode = (busy: Busy): string => `${String(busy.until)}|${busy.kind}|${busy.callSid}|${String(busy.heardAt ?? '')}`;
function decode(value: string): Busy {
  const [until = '0', kind = 'ringing', callSid = '', heardAt = ''] = value.split('|');
  return { until: Number(until), kind: kind as BusyKind, callSid, ...(heardAt === '' ? {} : { heardAt: Number(heardAt) }) };
}

/** Since when a busy sysadmin's call has sent no webhook (a page still ringing counts from its placing). */
export const silentSince = (busy: Busy): number | undefined => busy.heardAt;

/**
 * Marks a sysadmin busy only if they are free: the pager calls it *before* placing a page,
 * so two pagers (or one whose REST call timed out but was placed anyway) never ring one
 * phone twice at once. KEYS: busy  ARGV: sysadminId, now, entry.  Returns 1 if marked.
 */
const CLAIM_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(string.match(current, '^(%d+)')) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * Changes or ends a sysadmin's busy entry only if it still belongs to `callSid`: a late
 * callback of an earlier call never frees a sysadmin who is on a newer one.
 * KEYS: busy  ARGV: sysadminId, callSid, new entry ('' to free).  Returns 1 if changed.
 */
const REPLACE_IF_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or string.match(current, '^%d+|[^|]*|([^|]*)') ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimSysadmin(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    replaceBusyIf(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export function createBusySysadmins(redis: RedisClient) {
  redis.defineCommand('claimSysadmin', { numberOfKeys: 1, lua: CLAIM_LUA });
  redis.defineCommand('replaceBusyIf', { numberOfKeys: 1, lua: REPLACE_IF_LUA });
  const key = keys.busySysadmins;

  return {
    /** Everyone busy at `now`. */
    async all(now: number): Promise<Map<string, Busy>> {
      const hash = await withRedis(() => redis.hgetall(key));
      const entries = Object.entries(hash).map(([id, value]) => [id, decode(value)] as const);
      return new Map(entries.filter(([, busy]) => busy.until > now));
    },
    async claim(sysadminId: string, busy: Busy, now: number): Promise<boolean> {
      return Number(await withRedis(() => redis.claimSysadmin(key, sysadminId, now, encode(busy)))) === 1;
    },
    /** Sets the entry whatever it was (a sysadmin phoning in is on the line, ringing or not). */
    async set(sysadminId: string, busy: Busy): Promise<void> {
      await withRedis(() => redis.hset(key, sysadminId, encode(busy)));
    },
    /** Replaces the entry of `callSid` with `next`, or frees the sysadmin (next undefined). */
    async replaceIf(sysadminId: string, callSid: string, next?: Busy): Promise<boolean> {
      const changed = await withRedis(() => redis.replaceBusyIf(key, sysadminId, callSid, next === undefined ? '' : encode(next)));
      return Number(changed) === 1;
    },
  };
}

export type BusySysadmins = ReturnType<typeof createBusySysadmins>;
