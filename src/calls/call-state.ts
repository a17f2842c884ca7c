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
export interface CallState extends CallFacts {
  failures: number;
  steps: Record<string, Decision>;
}

/** Who is calling, once the PIN told us: the end-of-call events are filed under the account. */
export interface CallFacts {
  accountId?: string;
  userId?: string;
}

/**
 * KEYS: call  ARGV: ttlMs, stepField ('' for none), decision, failed (0/1), field, value, ...
 * Records a step's decision once (a retried step keeps the first), counts a failure, sets facts.
 * Returns 0 when the step had been recorded before (a retry), else 1.
 */
export const RECORD_CALL_STEP_LUA = `
if ARGV[2] ~= '' and redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 0
end
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'failures', 1) end
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

// Longer than any call can last; the history lives in the audit stream, not here.
const CALL_STATE_TTL_MS = 6 * 3_600_000;

const stateFields = z.object({
  failures: z.coerce.number().int().default(0),
  accountId: z.string().optional(),
  userId: z.string().optional(),
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

    /**
     * Records a step's decision (once: a retried step keeps the first and changes nothing) and
     * any facts learnt. Returns false when the step had already been recorded.
     */
    async record(
      callSid: string,
      change: { step?: string; decision?: Decision; failed?: boolean; facts?: CallFacts },
    ): Promise<boolean> {
      const facts = Object.entries(change.facts ?? {}).flatMap(([field, value]) =>
        value === undefined ? [] : [field, String(value)],
      );
      const recordsStep = change.step !== undefined && change.decision !== undefined;
      const first = await withRedis(() =>
        redis.recordCallStep(
          keys.call(callSid),
          CALL_STATE_TTL_MS,
          recordsStep ? `step:${change.step ?? ''}` : '',
          recordsStep ? JSON.stringify(change.decision) : '',
          change.failed === true ? 1 : 0,
          ...facts,
        ),
      );
      return Number(first) === 1;
    },
  };
}

export type CallStates = ReturnType<typeof createCallStates>;
