import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, defineScript } from '../redis/scripts.js';

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
  /** When callgate last heard from that call (its last webhook): the pager alarms on one silent too long. */
  heardAt?: number;
}

/**
 * How long a sysadmin's call keeps them busy after its last webhook, if nothing more is heard
 * (its status callback lost: Twilio retries only a failed connection,
 * https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): the longest a
 * prompt and its <Gather> timeout take before the next webhook, with margin.
 */
export const NEXT_WEBHOOK_MS = 90_000;

// Written last, so an entry of an earlier version (three fields) still decodes.
const encode = (busy: Busy): string => `${String(busy.until)}|${busy.kind}|${busy.callSid}|${String(busy.heardAt ?? '')}`;
function decode(value: string): Busy {
  const [until = '0', kind = 'ringing', callSid = '', heardAt = ''] = value.split('|');
  return { until: Number(until), kind: kind as BusyKind, callSid, ...(heardAt === '' ? {} : { heardAt: Number(heardAt) }) };
}


export function createBusySysadmins(redis: RedisClient) {
  const claimSysadmin = defineScript(redis, new URL('./lua/claim-sysadmin-1.lua', import.meta.url), asFlag);
  const replaceBusyIf = defineScript(redis, new URL('./lua/replace-busy-if-1.lua', import.meta.url), asFlag);
  const key = keys.busySysadmins;

  return {
    /** Everyone busy at `now`. */
    async all(now: number): Promise<Map<string, Busy>> {
      const hash = await withRedis(() => redis.hgetall(key));
      const entries = Object.entries(hash).map(([id, value]) => [id, decode(value)] as const);
      return new Map(entries.filter(([, busy]) => busy.until > now));
    },
    async claim(sysadminId: string, busy: Busy, now: number): Promise<boolean> {
      return claimSysadmin([key], [sysadminId, now, encode(busy)]);
    },
    /** Sets the entry whatever it was (a sysadmin phoning in is on the line, ringing or not). */
    async set(sysadminId: string, busy: Busy): Promise<void> {
      await withRedis(() => redis.hset(key, sysadminId, encode(busy)));
    },
    /** Replaces the entry of `callSid` with `next`, or frees the sysadmin (next undefined). */
    async replaceIf(sysadminId: string, callSid: string, next?: Busy): Promise<boolean> {
      return replaceBusyIf([key], [sysadminId, callSid, next === undefined ? '' : encode(next)]);
    },
  };
}

export type BusySysadmins = ReturnType<typeof createBusySysadmins>;
