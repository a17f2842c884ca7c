import { UnavailableError } from '../errors.js';
import { z } from 'zod';
import type { WaitingCaller } from './waiting-caller-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, asUnknown, defineScript, type Decoder } from '../redis/scripts.js';

// Verified callers waiting for a sysadmin, under the call path's `{line}` hash tag so the step that uses
// a PIN up also holds its caller (src/calls/call-state.ts). The six keys: lua/includes/waiting-entry.lua.
export type { WaitingCaller };

const pageSchema = z.object({
  sysadminId: z.string(),
  pageCallSid: z.string(),
  state: z.enum(['ringing', 'answered', 'declined']),
});
type Page = z.infer<typeof pageSchema>;

// failedInARow: pages whose REST call failed since the last one placed (forgotten with the caller).
const chainSchema = z.object({
  nextIndex: z.number().int().default(0),
  page: pageSchema.nullable().default(null),
  failedInARow: z.number().int().default(0),
});
export type Chain = z.infer<typeof chainSchema>;

// Longer than any call lasts: the record only waits for Twilio's report of the bridge.
const BRIDGING_TTL_MS = 6 * 3_600_000;

// A caller as stored (by src/calls/lua/check-pin-step-21.lua): a JSON array without key names or the
// CallSid (about 150 B less each, with 10,000 on hold).
const storedCallerSchema = z.tuple([z.string(), z.string(), z.string(), z.string(), z.boolean(), z.string().nullable(), z.string(), z.number(), z.number()]);
function callerFrom(callSid: string, json: string): WaitingCaller {
  const [accountId, accountName, userId, userName, isAdminContact, adminContactName, tier, priority, enqueuedAt] = storedCallerSchema.parse(JSON.parse(json));
  return { callSid, accountId, accountName, userId, userName, isAdminContact, adminContactName, tier, priority, enqueuedAt };
}

// A caller settled once: who took them, if anyone had; `bridging` once the <Queue> url was fetched.
const settledFrom = (callSid: string, reply: unknown) => {
  if (!Array.isArray(reply)) return undefined;
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
  const json = fields.get('caller');
  if (json === undefined) return undefined;
  const caller = callerFrom(callSid, json);
  const reservation = decodeReservation(fields.get('reservation') || null);
  const sysadminId = fields.get('sysadminId') ?? reservation?.sysadminId;
  const from = fields.get('from');
  return {
    caller,
    ...(sysadminId === undefined ? {} : { sysadminId }),
    ...(from === undefined ? {} : { bridging: { from, at: Number(fields.get('at') ?? 0) } }),
  };
};

export type SettledCaller = NonNullable<ReturnType<typeof settledFrom>>;

function decodeReservation(value: string | null) {
  if (value === null) return null;
  const [until = '0', sysadminId = '', agentCallSid = ''] = value.split('|');
  return { until: Number(until), sysadminId, agentCallSid };
}
type Reservation = NonNullable<ReturnType<typeof decodeReservation>>;
const encodeReservation = (r: Reservation): string => `${String(r.until)}|${r.sysadminId}|${r.agentCallSid}`;

/** The six keys every waiting-caller script takes, in their order (lua/includes/waiting-entry.lua). */
export const WAITING_KEYS = [
  keys.waitingOrder,
  keys.waitingCallers,
  keys.pagingChains,
  keys.reservations,
  keys.pagerDue,
  keys.waitingSeen,
] as const;

// Twilio re-requests the wait URL only when its document ends: this bounds how late a heartbeat is noticed.
export const WAIT_PAUSE_SECONDS = 15;
// What a wait document says around its pause or music, at most (place in line, "still holding").
const WAIT_SPEECH_SECONDS = 10;

/** A caller with no wait-URL fetch for two of the longest wait documents (at least a minute) is gone. */
export function ghostAfterMs(queue: { holdMusicSeconds?: number | undefined }): number {
  const longestDocument = Math.max(queue.holdMusicSeconds ?? 0, WAIT_PAUSE_SECONDS) + WAIT_SPEECH_SECONDS;
  return Math.max(60, 2 * longestDocument) * 1000;
}

/** Whole seconds the caller has waited since they were held. */
export const waitedSeconds = (caller: Pick<WaitingCaller, 'enqueuedAt'>, now: number): number =>
  Math.max(0, Math.round((now - caller.enqueuedAt) / 1000));

// 'reserved', 'taken' or 'gone'; {'late'}: the request gave up before Redis ran it.
const decodeReserve: Decoder<'reserved' | 'taken' | 'gone'> = (reply) => {
  if (isLate(reply)) throw new UnavailableError();
  return reply === 'reserved' ? 'reserved' : reply === 'taken' ? 'taken' : 'gone';
};

// The tier from the stored caller (storedCallerSchema): its seventh item, without validating the rest.
function tierOf(json: string): string {
  const tier: unknown = (JSON.parse(json) as unknown[])[6];
  return typeof tier === 'string' ? tier : '';
}

export function createWaitingCallers(redis: RedisClient) {
  const script = <T>(file: string, decode: Decoder<T>) => defineScript(redis, new URL(`./lua/${file}`, import.meta.url), decode);
  const reserveWaitingCaller = script('reserve-waiting-caller-6.lua', decodeReserve);
  const releaseReservation = script('release-reservation-6.lua', asFlag);
  const claimPagingChain = script('claim-paging-chain-1.lua', asFlag);
  const savePagingChain = script('save-paging-chain-6.lua', asFlag);
  const removeWaitingCaller = script('remove-waiting-caller-6.lua', asUnknown);
  const prepareBridge = script('prepare-bridge-7.lua', asUnknown);
  const settleCaller = script('settle-caller-8.lua', asUnknown);
  const noteBridgeEnded = script('note-bridge-ended-2.lua', asFlag);
  const confirmLease = defineScript(redis, new URL('../pins/lua/confirm-lease-4.lua', import.meta.url), asFlag);
  const { waitingOrder, waitingCallers, pagingChains, reservations, pagerDue, waitingSeen } = keys;

  async function entries(callSids: string[]) {
    if (callSids.length === 0) return [];
    const [callers, chains, held, seen] = await withRedis(() =>
      Promise.all([
        redis.hmget(waitingCallers, ...callSids),
        redis.hmget(pagingChains, ...callSids),
        redis.hmget(reservations, ...callSids),
        redis.zmscore(waitingSeen, ...callSids),
      ]),
    );
    return callSids.flatMap((callSid, i) => {
      const json = callers[i];
      if (json === null || json === undefined) return [];
      const chain = chainSchema.parse(JSON.parse(chains[i] ?? '{}'));
      const entry = { caller: callerFrom(callSid, json), chain, reservation: decodeReservation(held[i] ?? null) };
      // lastSeen: the last wait-URL fetch (or the enqueue), epoch ms.
      return [{ ...entry, lastSeen: Number(seen[i] ?? 0) }];
    });
  }

  return {
    /** The caller is no longer waiting (connected, left, hung up, or a ghost): returns who they were, if they were. */
    async remove(callSid: string): Promise<WaitingCaller | undefined> {
      const json = await removeWaitingCaller(WAITING_KEYS, [callSid]);
      return typeof json === 'string' ? callerFrom(callSid, json) : undefined;
    },

    /** The <Queue> url: the caller leaves the line until Twilio reports whether the bridge happened. */
    async prepareBridge(callSid: string, bridge: { sysadminId: string; from: string }, now: number): Promise<void> {
      const args = [callSid, bridge.sysadminId, bridge.from, now, BRIDGING_TTL_MS];
      await prepareBridge([...WAITING_KEYS, keys.bridging(callSid)], args);
    },

    /** What became of a caller, taken once (undefined after): being bridged, or unless `onlyBridging` waiting. */
    async settle(callSid: string, options: { onlyBridging?: boolean } = {}): Promise<SettledCaller | undefined> {
      return settledFrom(
        callSid,
        await settleCaller([...WAITING_KEYS, keys.bridging(callSid), keys.bridgesEnded], [callSid, options.onlyBridging === true ? '1' : '0']),
      );
    },

    /** The caller's call ended: true when they were still being bridged, unreported (noted, by `now`). */
    bridgeEnded: (callSid: string, now: number): Promise<boolean> => noteBridgeEnded([keys.bridging(callSid), keys.bridgesEnded], [callSid, now]),

    /** Callers whose call ended while still being bridged, unreported, before `before` (a few at a time). */
    bridgesEndedBefore: (before: number): Promise<string[]> =>
      withRedis(() => redis.zrangebyscore(keys.bridgesEnded, '-inf', before, 'LIMIT', 0, 20)),

    async get(callSid: string) {
      return (await entries([callSid]))[0];
    },

    /** The first `count` callers in line (priority, then wait). */
    async head(count: number) {
      return entries(await withRedis(() => redis.zrange(waitingOrder, '0', String(count - 1))));
    },

    /** Of the first `count` callers in line, the CallSids whose chain is due at `now`. */
    async dueAmongHead(count: number, now: number): Promise<string[]> {
      const head = await withRedis(() => redis.zrange(waitingOrder, '0', String(count - 1)));
      if (head.length === 0) return [];
      const due = await withRedis(() => redis.zmscore(pagerDue, ...head));
      return head.filter((_sid, i) => Number(due[i] ?? Infinity) <= now);
    },

    entries,
    count: () => withRedis(() => redis.zcard(waitingOrder)),

    // A wait-URL fetch: the heartbeat, their place in line (1-based), plan, reservation (0: none) and failed
    // pages; the first also confirms their PIN's lease. Plain commands, no script: the hottest path of a mass outage.
    async atWaitFetch(callSid: string, now: number) {
      const call = keys.call(callSid);
      const [leased, rank, , stored, held, chain] = await Promise.all([
        withRedis(() => redis.hget(call, 'leased')),
        withRedis(() => redis.zrank(waitingOrder, callSid)),
        withRedis(() => redis.zadd(waitingSeen, 'XX', now, callSid)),
        withRedis(() => redis.hget(waitingCallers, callSid)),
        withRedis(() => redis.hget(reservations, callSid)),
        withRedis(() => redis.hget(pagingChains, callSid)),
      ]);
      if (leased !== null) await confirmLease([call, keys.pinsConsumed, keys.pinsConsumedUntil, keys.pinsLiveByCode], [callSid]);
      // Taken off the line between the reads (a bridge being prepared, a settle): not waiting any more.
      if (rank === null || stored === null) return undefined;
      const { failedInARow } = chainSchema.parse(JSON.parse(chain ?? '{}'));
      const reservedUntil = decodeReservation(held)?.until ?? 0;
      return { position: rank + 1, tier: tierOf(stored), reservedUntil, failedInARow };
    },

    async claimChain(callSid: string, now: number, leaseUntil: number): Promise<boolean> {
      return claimPagingChain([pagerDue], [callSid, now, leaseUntil]);
    },

    async saveChain(callSid: string, chain: Chain, expectedPageSid: string, dueAt: number): Promise<boolean> {
      return savePagingChain(WAITING_KEYS, [callSid, expectedPageSid, JSON.stringify(chain), dueAt]);
    },

    /** A page's outcome: its new state alone, on whatever chain the pager saved since (same page). */
    async savePage(callSid: string, page: Page, dueAt: number): Promise<boolean> {
      return savePagingChain(WAITING_KEYS, [callSid, page.pageCallSid, JSON.stringify(page), dueAt, 'page']);
    },

    /** Makes a waiting caller's chain due at `at` (no effect once they left). */
    async dueAt(callSid: string, at: number): Promise<void> {
      await withRedis(() => redis.zadd(pagerDue, 'XX', at, callSid));
    },

    async reserve(callSid: string, reservation: Reservation, now: number): Promise<'reserved' | 'taken' | 'gone'> {
      return reserveWaitingCaller(WAITING_KEYS, [scriptDeadline(), callSid, now, encodeReservation(reservation), reservation.until, reservation.agentCallSid]);
    },

    async release(callSid: string, agentCallSid: string, now: number): Promise<boolean> {
      return releaseReservation(WAITING_KEYS, [callSid, agentCallSid, now]);
    },
  };
}

export type WaitingCallers = ReturnType<typeof createWaitingCallers>;
export type WaitingEntry = Awaited<ReturnType<WaitingCallers['entries']>>[number];
