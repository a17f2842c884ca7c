import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { entryTime, eventKeys, REDIS_NOW_LUA } from './event-keys.js';

/**
 * Leases due events to one sender. Guarantee: an entry is handed out only when
 * due, and handing it out pushes its due time out by the lease, in one step, so
 * no other instance gets it until the lease ends; its attempt count is the
 * lease token. Entries trimmed from the stream are forgotten. No deadline guard:
 * a claim that runs late only delays its events by one lease.
 * KEYS: outbox, due, tries   ARGV: lease ms, max entries
 * Returns {now, {entry id, attempt, event JSON}...}.
 */
const CLAIM_DUE_LUA = `${REDIS_NOW_LUA}
local claimed = {now}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local found = redis.call('XRANGE', KEYS[1], entry, entry)[1]
  if found == nil then
    redis.call('ZREM', KEYS[2], entry)
    redis.call('HDEL', KEYS[3], entry)
  else
    local attempt = redis.call('HINCRBY', KEYS[3], entry, 1)
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), entry)
    local fields = found[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'event' then table.insert(claimed, {entry, attempt, fields[i + 1]}) end
    end
  end
end
return claimed
`;

/**
 * Ends an attempt, only if it is still the entry's latest (a sender whose lease
 * ran out and was re-claimed changes nothing). Delivered: the entry leaves the
 * outbox. Failed: it is due again after the delay, or, when that would pass the
 * retry window counted from its append, it becomes a dead letter (the dead
 * letters are capped, oldest dropped). No deadline guard: a late run still
 * records what really happened to that attempt.
 * KEYS: outbox, due, tries, dead, deadOrder
 * ARGV: entry id, attempt, 'delivered'|'failed', retry delay ms, retry window ms, last result, max dead letters
 * Returns 'stale' | 'delivered' | 'retry' | 'dead'.
 */
const SETTLE_ATTEMPT_LUA = `${REDIS_NOW_LUA}
local entry = ARGV[1]
if redis.call('HGET', KEYS[3], entry) ~= ARGV[2] then return 'stale' end
local found = redis.call('XRANGE', KEYS[1], entry, entry)[1]
local function forget()
  redis.call('XDEL', KEYS[1], entry)
  redis.call('ZREM', KEYS[2], entry)
  redis.call('HDEL', KEYS[3], entry)
end
if found == nil then forget() return 'stale' end
if ARGV[3] == 'delivered' then forget() return 'delivered' end
local appended = tonumber(string.match(entry, '^(%d+)'))
if now + tonumber(ARGV[4]) <= appended + tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), entry)
  return 'retry'
end
local f = {}
for i = 1, #found[2], 2 do f[found[2][i]] = found[2][i + 1] end
redis.call('HSET', KEYS[4], f.id, cjson.encode({event = f.event, type = f.type, attempts = tonumber(ARGV[2]),
  lastResult = ARGV[6], appendedAt = appended, deadAt = now}))
redis.call('ZADD', KEYS[5], now, f.id)
forget()
if redis.call('ZCARD', KEYS[5]) > tonumber(ARGV[7]) then
  local oldest = redis.call('ZRANGE', KEYS[5], 0, 0)[1]
  redis.call('ZREM', KEYS[5], oldest)
  redis.call('HDEL', KEYS[4], oldest)
end
return 'dead'
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimDueEvents(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    settleEventAttempt(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ClaimedEvent {
  entryId: string;
  attempt: number;
  /** The event exactly as appended: the bytes that are signed and sent. */
  body: string;
}

export type Settled = 'stale' | 'delivered' | 'retry' | 'dead';

export const DEFAULT_MAX_DEAD_LETTERS = 10_000;

export function createOutboxQueue(redis: RedisClient, options: { maxDeadLetters?: number } = {}) {
  redis.defineCommand('claimDueEvents', { numberOfKeys: 3, lua: CLAIM_DUE_LUA });
  redis.defineCommand('settleEventAttempt', { numberOfKeys: 5, lua: SETTLE_ATTEMPT_LUA });
  const maxDead = options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS;

  return {
    /** Up to `max` due events, each leased to the caller for `leaseMs`. */
    async claimDue(leaseMs: number, max: number): Promise<ClaimedEvent[]> {
      const reply = await withRedis(() => redis.claimDueEvents(eventKeys.outbox, eventKeys.due, eventKeys.tries, leaseMs, max));
      const [, ...claimed] = Array.isArray(reply) ? (reply as unknown[]) : [];
      return claimed.flatMap((item) => {
        if (!Array.isArray(item)) return [];
        const [entryId, attempt, body] = item as unknown[];
        return [{ entryId: String(entryId), attempt: Number(attempt), body: String(body) }];
      });
    },

    async settle(
      claimed: ClaimedEvent,
      outcome: { delivered: true } | { delivered: false; retryInMs: number; retryForMs: number; result: string },
    ): Promise<Settled> {
      const failure = outcome.delivered ? ['delivered', 0, 0, ''] : ['failed', Math.round(outcome.retryInMs), outcome.retryForMs, outcome.result];
      const reply = await withRedis(() =>
        redis.settleEventAttempt(
          eventKeys.outbox,
          eventKeys.due,
          eventKeys.tries,
          eventKeys.dead,
          eventKeys.deadOrder,
          claimed.entryId,
          claimed.attempt,
          ...failure,
          maxDead,
        ),
      );
      return String(reply) as Settled;
    },

    /** Undelivered events, and how long the oldest has waited (Redis' clock): outbox size and delivery lag. */
    async backlog(): Promise<{ size: number; oldestAgeMs: number; dropped: number }> {
      const [size, oldest, time, dropped] = await withRedis(() =>
        Promise.all([
          redis.xlen(eventKeys.outbox),
          redis.xrange(eventKeys.outbox, '-', '+', 'COUNT', 1),
          redis.time(),
          redis.get(eventKeys.dropped),
        ]),
      );
      const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
      const first = oldest[0]?.[0];
      return { size, oldestAgeMs: first === undefined ? 0 : Math.max(0, now - entryTime(first)), dropped: Number(dropped ?? 0) };
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
