import type { Redis } from 'ioredis';
import { WAITING_KEYS } from '../src/oncall/waiting-callers.js';
import { keys } from '../src/redis/keys.js';

/** What a waiting caller costs in Redis, key by key (the mass outage, issue 24). */

/** Bytes per waiting caller in one key (or one kind of key). */
export interface MemoryPart {
  name: string;
  bytes: number;
}

/** One caller's call state (its encoding, each field's value length) and their entries in the line's hashes. */
export interface Anatomy {
  callStateEncoding: string;
  callState: { field: string; bytes: number }[];
  callerEntry: string;
  chainEntry: string;
}

/** A key's kind: the segments that name one call, number, user or minute become `*`. */
const kindOf = (key: string): string =>
  key
    .split(':')
    .map((segment) => (/\d/.test(segment) && !segment.startsWith('{') && !segment.endsWith('}') ? '*' : segment))
    .join(':');

/** Every key's MEMORY USAGE (SAMPLES 0: every element counted), summed by kind. */
export async function memoryByKind(redis: Redis): Promise<Map<string, number>> {
  const byKind = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const usages = (await pipeline.exec()) ?? [];
    found.forEach((key, i) => {
      const kind = kindOf(key);
      byKind.set(kind, (byKind.get(kind) ?? 0) + Number(usages[i]?.[1] ?? 0));
    });
  } while (cursor !== '0');
  return byKind;
}

export async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** The seven things a waiting caller holds (the line's six keys and the call's state), per caller. */
export async function perWaitingCaller(redis: Redis, callSids: string[], waiting: number): Promise<MemoryPart[]> {
  const callStates = await Promise.all(callSids.map((callSid) => memoryUsage(redis, keys.call(callSid))));
  return [
    ...(await Promise.all(WAITING_KEYS.map(async (key) => ({ name: key, bytes: (await memoryUsage(redis, key)) / waiting })))),
    { name: keys.call('<callSid>'), bytes: callStates.reduce((sum, bytes) => sum + bytes, 0) / waiting },
  ];
}

/** Every kind of key that grew (or shrank) between two readings, per caller joining. */
export function grownBetween(before: Map<string, number>, after: Map<string, number>, joining: number): MemoryPart[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .map((name) => ({ name, bytes: ((after.get(name) ?? 0) - (before.get(name) ?? 0)) / joining }))
    .filter((part) => Math.abs(part.bytes) >= 1)
    .sort((a, b) => b.bytes - a.bytes);
}

/** One caller's call state and entry, field by field: what the bytes are spent on. */
export async function anatomyOf(redis: Redis, callSid: string): Promise<Anatomy> {
  const stateFields = await redis.hgetall(keys.call(callSid));
  return {
    callStateEncoding: String(await redis.call('OBJECT', 'ENCODING', keys.call(callSid))),
    callState: Object.entries(stateFields).map(([field, value]) => ({ field, bytes: value.length })),
    callerEntry: (await redis.hget(keys.waitingCallers, callSid)) ?? '',
    chainEntry: (await redis.hget(keys.pagingChains, callSid)) ?? '',
  };
}
