import { z } from 'zod';
import type { RedisClient } from '../redis/connect-redis.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, asUnknown, defineScript } from '../redis/scripts.js';
import { callbackCountries, createCallbackNumbers } from './callback-numbers.js';
import { callbackStateSchema, missedReasonSchema } from './missed-call-schema.js';

// Verified callers nobody took, to call back: under their own `{missed}` hash tag, trimmed to the window.
const KEYS = {
  order: 'callgate:{missed}:order',
  calls: 'callgate:{missed}:calls',
  // Why a caller was let out of their queue early (nobody could be paged), until the <Enqueue> action.
  leaving: (callSid: string) => `callgate:{missed}:leaving:${callSid}`,
} as const;

export type MissedReason = MissedCall['reason'];

export const missedCallSchema = z.object({
  callSid: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  userId: z.string(),
  userName: z.string(),
  /** The caller's `From` as Twilio gave it: a call-back rings it only if callback-numbers.ts allows it. */
  from: z.string(),
  at: z.number(),
  waitSeconds: z.number(),
  reason: missedReasonSchema,
  voicemail: z.object({ url: z.string(), seconds: z.number() }).optional(),
  callback: z
    .object({ sysadminId: z.string(), agentCallSid: z.string(), at: z.number(), state: callbackStateSchema })
    .optional(),
});
export type MissedCall = z.infer<typeof missedCallSchema>;

// Missed calls read per Redis round trip when listing the window.
const READ_CHUNK = 500;

export function createMissedCallers(
  redis: RedisClient,
  options: {
    windowMs: number;
    /** Where call-backs may ring (the policy's countries, else the support number's); without it none is dialled. */
    callBack?: { allowedCountries: readonly string[] | undefined; supportNumber: string };
  },
) {
  const callbackNumber = createCallbackNumbers(options.callBack === undefined ? [] : callbackCountries(options.callBack.allowedCountries, options.callBack.supportNumber));
  const recordMissedCall = defineScript(redis, new URL('./lua/record-missed-call-2.lua', import.meta.url), asUnknown);
  const replaceMissedCall = defineScript(redis, new URL('./lua/replace-missed-call-1.lua', import.meta.url), asFlag);

  async function read(callSid: string): Promise<{ json: string; call: MissedCall } | undefined> {
    const json = await withRedis(() => redis.hget(KEYS.calls, callSid));
    if (json === null) return undefined;
    return { json, call: missedCallSchema.parse(JSON.parse(json)) };
  }

  /** Applies `change` unless someone changed the call first; returns the new record. */
  async function update(callSid: string, change: (call: MissedCall) => MissedCall | undefined): Promise<MissedCall | undefined> {
    const current = await read(callSid);
    if (current === undefined) return undefined;
    const next = change(current.call);
    if (next === undefined) return undefined;
    return (await replaceMissedCall([KEYS.calls], [callSid, current.json, JSON.stringify(next)])) ? next : undefined;
  }

  return {
    /** Records the call as missed (once: a retry changes nothing) and returns the record as stored. */
    async record(call: MissedCall): Promise<MissedCall> {
      const stored = await recordMissedCall([KEYS.order, KEYS.calls], [call.callSid, call.at, JSON.stringify(call), call.at - options.windowMs]);
      return typeof stored === 'string' ? missedCallSchema.parse(JSON.parse(stored)) : call;
    },

    get: async (callSid: string) => (await read(callSid))?.call,

    /** The wait document let the caller out early, for this reason. */
    async noteLeaving(callSid: string, reason: MissedReason): Promise<void> {
      await withRedis(() => redis.set(KEYS.leaving(callSid), reason, 'EX', 3_600));
    },
    async takeLeaving(callSid: string): Promise<MissedReason | undefined> {
      const reason = await withRedis(() => redis.getdel(KEYS.leaving(callSid)));
      const parsed = missedReasonSchema.safeParse(reason);
      return parsed.success ? parsed.data : undefined;
    },

    attachVoicemail: (callSid: string, voicemail: { url: string; seconds: number }) =>
      update(callSid, (call) => (call.voicemail === undefined ? { ...call, voicemail } : undefined)),

    /** The window's missed calls not yet called back (`calledBackToo`: all), oldest first, none hidden. */
    async open(now: number, which: { calledBackToo?: boolean } = {}): Promise<MissedCall[]> {
      const sids = await withRedis(() => redis.zrangebyscore(KEYS.order, now - options.windowMs, '+inf'));
      const open: MissedCall[] = [];
      for (let start = 0; start < sids.length; start += READ_CHUNK) {
        const chunk = sids.slice(start, start + READ_CHUNK);
        const values = await withRedis(() => redis.hmget(KEYS.calls, ...chunk));
        for (const json of values) {
          if (json === null) continue;
          const call = missedCallSchema.parse(JSON.parse(json));
          if (which.calledBackToo === true || call.callback?.state !== 'connected') open.push(call);
        }
      }
      return open;
    },

    /** Whether, and where, the line may dial this caller back. */
    callbackNumber: (call: MissedCall) => callbackNumber(call.from),

    /** A sysadmin starts calling the customer back; false if someone else is, or it is done. */
    async claimCallback(callSid: string, callback: { sysadminId: string; agentCallSid: string; at: number }, staleAfterMs: number): Promise<boolean> {
      const claimed = await update(callSid, (call) => {
        const busy = call.callback !== undefined && (call.callback.state === 'connected' || (call.callback.agentCallSid !== callback.agentCallSid && call.callback.at > callback.at - staleAfterMs));
        return busy ? undefined : { ...call, callback: { ...callback, state: 'calling' } };
      });
      return claimed !== undefined;
    },

    /** A person answered the callback (pressed 1): put through. */
    answerCallback: (callSid: string, agentCallSid: string) =>
      update(callSid, (call) =>
        call.callback?.agentCallSid === agentCallSid && call.callback.state === 'calling' ? { ...call, callback: { ...call.callback, state: 'answered' } } : undefined,
      ),

    /** The callback did not connect: someone may try again. */
    releaseCallback: (callSid: string, agentCallSid: string) =>
      update(callSid, (call) =>
        call.callback?.agentCallSid === agentCallSid && call.callback.state !== 'connected' ? { ...call, callback: undefined } : undefined,
      ),

    /** The customer, who pressed 1, and the sysadmin spoke: the missed call is closed. */
    closeByCallback: (callSid: string, agentCallSid: string) =>
      update(callSid, (call) =>
        call.callback?.agentCallSid === agentCallSid && call.callback.state === 'answered' ? { ...call, callback: { ...call.callback, state: 'connected' } } : undefined,
      ),
  };
}

export type MissedCallers = ReturnType<typeof createMissedCallers>;
