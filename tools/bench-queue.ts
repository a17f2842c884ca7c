import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { systemClock } from '../src/clock.js';
import { createLogger } from '../src/logger.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { keys } from '../src/redis/keys.js';

/**
 * The bench's queue measurements (issue 12): callers already waiting, the pager's idle cost
 * with nobody free to page, and what a waiting caller costs in Redis memory.
 */

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Puts `count` verified callers on the line's keys as the PIN step's admission leaves them
 * (src/oncall/lua/includes/waiting-entry.lua holdCaller; the caller as the JSON array
 * src/oncall/waiting-callers.ts reads), quickly, for the webhook and pager measurements: the
 * outage's measurements admit theirs through the service. No key prefix: the service's own data.
 */
export async function seedWaitingCallers(redisUrl: string, count: number, from: number): Promise<void> {
  const client = connectRedis({ kind: 'standalone', url: redisUrl }, createLogger({ level: 'error' }));
  await new Promise((resolve) => client.once('ready', resolve));
  const now = systemClock.now();
  for (let start = from; start < from + count; start += 1000) {
    const batch = client.multi();
    for (let i = start + 1; i <= Math.min(start + 1000, from + count); i += 1) {
      const callSid = `CAbench${String(i).padStart(25, '0')}`;
      const caller = JSON.stringify(['bench', 'Bench Ltd', `w${String(i)}`, `Waiting ${String(i)}`, false, 'Ada Admin', 'standard', 1, now + i]);
      batch.zadd(keys.waitingOrder, -1e13 + now + i, callSid).hset(keys.waitingCallers, callSid, caller);
      batch.zadd(keys.pagerDue, now, callSid).zadd(keys.waitingSeen, now, callSid);
    }
    await batch.exec();
  }
  client.disconnect();
}

/** The keys that hold the waiting callers (src/oncall/lua/includes/waiting-entry.lua). */
export const QUEUE_KEYS = [keys.waitingOrder, keys.waitingCallers, keys.pagingChains, keys.pagerDue, keys.waitingSeen];
const parked = (key: string): string => `bench:parked:${key}`;

/**
 * Takes the waiting callers off the line, or puts them back, in O(1) (RENAME), so that the
 * bench can measure with and without them in turns. Callers admitted while they were away
 * are dropped on the way back: "no one waiting" starts empty every time.
 */
export async function parkQueue(redis: Redis): Promise<void> {
  for (const key of QUEUE_KEYS) if ((await redis.exists(key)) === 1) await redis.rename(key, parked(key));
}
export async function unparkQueue(redis: Redis): Promise<void> {
  for (const key of QUEUE_KEYS) {
    await redis.del(key);
    if ((await redis.exists(parked(key))) === 1) await redis.rename(parked(key), key);
  }
}

/** Nobody free to page: the one sysadmin on call is busy on another call for the next hour. */
export async function everySysadminBusy(redis: Redis, sysadminId: string): Promise<void> {
  await redis.hset(keys.busySysadmins, sysadminId, `${String(Date.now() + 3_600_000)}|connected|CAbenchbusy`);
}

/** A process's CPU time so far (user + system), from /proc. */
export const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
};

export async function commandCount(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The service's CPU (share of one core) and Redis commands a second over `seconds` with no request. */
export async function idleCost(pid: number, redis: Redis, seconds: number): Promise<{ cpu: number; commandsPerSecond: number }> {
  const [cpuBefore, commandsBefore] = [cpuSeconds(pid), await commandCount(redis)];
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  // The INFO calls themselves are two of the commands counted; they are taken off.
  const commands = (await commandCount(redis)) - commandsBefore - 1;
  return { cpu: (cpuSeconds(pid) - cpuBefore) / seconds, commandsPerSecond: commands / seconds };
}

/** The Redis server's process id (on this machine: the bench's Redis is local). */
export async function redisPid(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}
