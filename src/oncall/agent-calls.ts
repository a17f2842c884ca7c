import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';

// The sysadmins' own calls: whose, and whether proved (1 on a page, the on-call PIN on a call back).
// A hash, one field per fact: webhooks out of order lose nothing.
const flag = z.enum(['1']).optional().transform((value) => value === '1');
const agentCallSchema = z.object({
  sysadminId: z.string(),
  via: z.enum(['page', 'inbound']),
  authenticated: flag,
  /** A page: the caller it was placed for. */
  forCaller: z.string().optional(),
  /** The caller this call reserved by pressing 1. */
  reserved: z.string().optional(),
  /** The call's status callback came (perhaps before the page was recorded). */
  ended: flag,
});

// Longer than any call lasts; the record is only needed while the call is live.
const AGENT_CALL_TTL_MS = 6 * 3_600_000;

export function createAgentCalls(redis: RedisClient) {
  async function write(callSid: string, fields: Record<string, string>): Promise<void> {
    const key = keys.agentCall(callSid);
    await withRedis(() => redis.multi().hset(key, fields).pexpire(key, AGENT_CALL_TTL_MS).exec());
  }

  return {
    async get(callSid: string) {
      const hash = await withRedis(() => redis.hgetall(keys.agentCall(callSid)));
      const parsed = agentCallSchema.safeParse(hash);
      return parsed.success ? parsed.data : undefined;
    },
    /** A page placed, or a sysadmin phoning in. */
    async start(callSid: string, call: { sysadminId: string; via: 'page' | 'inbound'; forCaller?: string }): Promise<void> {
      await write(callSid, { sysadminId: call.sysadminId, via: call.via, ...(call.forCaller === undefined ? {} : { forCaller: call.forCaller }) });
    },
    async mark(callSid: string, fact: 'authenticated' | 'ended'): Promise<void> {
      await write(callSid, { [fact]: '1' });
    },
    async reserved(callSid: string, callerSid: string): Promise<void> {
      await write(callSid, { reserved: callerSid });
    },
  };
}

export type AgentCalls = ReturnType<typeof createAgentCalls>;
