import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, defineScript } from '../redis/scripts.js';

type BusyKind = 'ringing' | 'briefing' | 'connected' | 'on_line' | 'resting';

// Why a sysadmin is not paged now. Only the end of the call it names frees them; `until` is a safety
// net for a status callback that never comes. `heardAt`: that call's last webhook.
export interface Busy {
  kind: BusyKind;
  callSid: string;
  until: number;
  heardAt?: number;
}

// A prompt and its <Gather> timeout, with margin. Twilio retries only a failed connection, so a status
// callback can be lost: this bounds how long a silent call keeps its sysadmin.
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
    async all(now: number): Promise<Map<string, Busy>> {
      const hash = await withRedis(() => redis.hgetall(key));
      const entries = Object.entries(hash).map(([id, value]) => [id, decode(value)] as const);
      return new Map(entries.filter(([, busy]) => busy.until > now));
    },
    /** Marks them busy if free, or with `overRest` if only resting; false if a call holds them. */
    async claim(sysadminId: string, busy: Busy, now: number, overRest = false): Promise<boolean> {
      return claimSysadmin([key], [sysadminId, now, encode(busy), overRest ? '1' : '0']);
    },
    /** Sets the entry whatever it was (the bridge booked: connected, whatever the entry said). */
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
