import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import type { Decision } from './decisions.js';

/**
 * One call's state, a Redis hash under the call's own hash tag, so any
 * instance can answer any webhook of the call. It holds the decision of each
 * step already answered (`step:voice`, `step:pin:2`), the failed PIN count, and
 * once verified, who is calling.
 */
export interface CallState {
  failures: number;
  steps: Record<string, Decision>;
  from?: string;
  startedAt?: number;
  accountId?: string;
  userId?: string;
  tier?: string;
  enqueuedAt?: number;
}

export interface CallFacts {
  from?: string;
  startedAt?: number;
  accountId?: string;
  userId?: string;
  tier?: string;
  enqueuedAt?: number;
}

// Longer than any call can last; the history lives in the audit stream, not here.
const CALL_STATE_TTL_MS = 6 * 3_600_000;

const numberField = z.coerce.number().int().optional();
const stateFields = z.object({
  failures: z.coerce.number().int().default(0),
  from: z.string().optional(),
  startedAt: numberField,
  accountId: z.string().optional(),
  userId: z.string().optional(),
  tier: z.string().optional(),
  enqueuedAt: numberField,
});

export function createCallStates(redis: RedisClient) {
  return {
    async get(callSid: string): Promise<CallState> {
      const hash = await withRedis(() => redis.hgetall(keys.call(callSid)));
      const steps: Record<string, Decision> = {};
      for (const [field, value] of Object.entries(hash)) {
        if (field.startsWith('step:')) steps[field.slice(5)] = JSON.parse(value) as Decision;
      }
      return { ...stateFields.parse(hash), steps };
    },

    /** Records a step's decision (once: a retried step keeps the first) and any facts learnt. */
    async record(callSid: string, change: { step?: string; decision?: Decision; failed?: boolean; facts?: CallFacts }) {
      const key = keys.call(callSid);
      const facts = Object.entries(change.facts ?? {}).filter(([, value]) => value !== undefined);
      const tx = redis.multi();
      if (change.step !== undefined && change.decision !== undefined) {
        tx.hsetnx(key, `step:${change.step}`, JSON.stringify(change.decision));
      }
      if (change.failed === true) tx.hincrby(key, 'failures', 1);
      if (facts.length > 0) tx.hset(key, Object.fromEntries(facts.map(([field, value]) => [field, String(value)])));
      tx.pexpire(key, CALL_STATE_TTL_MS);
      await withRedis(() => tx.exec());
    },
  };
}

export type CallStates = ReturnType<typeof createCallStates>;
