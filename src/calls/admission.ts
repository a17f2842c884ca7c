import type { Result } from 'ioredis';
import { UnavailableError } from '../errors.js';
import { orderOf, WAITING_KEYS, type WaitingCaller } from '../oncall/waiting-callers.js';
import { WAITING_ENTRY_LUA } from '../oncall/waiting-scripts.js';
import { CONSUME_RESTORE_LUA, FORGET_PIN_LUA } from '../pins/pin-scripts.js';
import type { PinOwner } from '../pins/pin-store.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { CALL_STATE_TTL_MS } from './call-state.js';
import type { Decision } from './decisions.js';

/**
 * A verified caller's admission: the PIN is used up, the caller is held for a sysadmin (the
 * waiting entry the pager pages for) and the call's step records its decision, in one script.
 * So a caller told "connecting you" is paged even if this instance dies the moment it has
 * answered: nothing that makes them paged waits for the process. All keys share `{line}`.
 */

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    admitCaller(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    giveBackAdmission(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

/**
 * KEYS: PIN by-hash, by-owner, expiry, live-by-code, consumed(owner); call; the six waiting keys
 * ARGV: deadline, now, hash, owner, callSid, keepMs, callTtlMs, stepField, decision JSON,
 *       order, caller JSON, accountId, userId
 * Returns {'ok'} | {'gone'} (used up or replaced: of racing calls exactly one gets 'ok') | {'late'}
 */
export const ADMIT_CALLER_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${CONSUME_RESTORE_LUA}${WAITING_ENTRY_LUA}
if not consume(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]) then return {'gone'} end
redis.call('HDEL', KEYS[6], (string.gsub(ARGV[8], '^step:', 'claim:')))
redis.call('HSET', KEYS[6], ARGV[8], ARGV[9], 'accountId', ARGV[12], 'userId', ARGV[13])
redis.call('PEXPIRE', KEYS[6], ARGV[7])
holdCaller({KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]}, ARGV[5], ARGV[10], ARGV[11], ARGV[2])
return {'ok'}
`;

/**
 * Undoes an admission whose answer came too late (the caller heard the apology instead): the
 * caller is no longer held and the step says apology, and the PIN is live again if this call
 * used it, it has not expired and its owner has no newer PIN. No deadline: safe whenever it runs.
 * KEYS: as ADMIT_CALLER_LUA  ARGV: now, hash, owner, callSid, stepField, apology JSON
 * Returns {'restored' | 'gone'}
 */
export const GIVE_BACK_ADMISSION_LUA = `${FORGET_PIN_LUA}${CONSUME_RESTORE_LUA}${WAITING_ENTRY_LUA}
local step = redis.call('HGET', KEYS[6], ARGV[5])
if step and string.find(step, '"kind":"enqueue"', 1, true) then
  forgetCaller({KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]}, ARGV[4])
  redis.call('HSET', KEYS[6], ARGV[5], ARGV[6])
end
return {restore(ARGV[1], ARGV[2], ARGV[3], ARGV[4])}
`;

// How long a consumption can be undone: far longer than any reply can be late.
const UNDO_WINDOW_MS = 60_000;

export interface Admission {
  callSid: string;
  step: string;
  /** The PIN's HMAC, as the guess check computed it. */
  pinHash: string;
  owner: PinOwner;
  caller: WaitingCaller;
  decision: Decision;
  now: number;
  /** Epoch ms (real time) after which Redis must do nothing. */
  notAfter: number;
}

// The PIN arrives as its HMAC (computed once, by the guess check), so no secret is needed here.
export function createAdmissions(redis: RedisClient) {
  redis.defineCommand('admitCaller', { numberOfKeys: 12, lua: ADMIT_CALLER_LUA });
  redis.defineCommand('giveBackAdmission', { numberOfKeys: 12, lua: GIVE_BACK_ADMISSION_LUA });
  const ownerOf = (owner: PinOwner): string => `${owner.accountId}/${owner.userId}`;
  const keysFor = (callSid: string, owner: PinOwner) => [
    keys.pinsByHash,
    keys.pinsByOwner,
    keys.pinExpiry,
    keys.pinsLiveByCode,
    keys.pinConsumed(ownerOf(owner)),
    keys.call(callSid),
    ...WAITING_KEYS,
  ];

  return {
    /** True when this call used the PIN up and its caller is held; false when the PIN is gone. */
    async admit(a: Admission): Promise<boolean> {
      const reply = await withRedis(() =>
        redis.admitCaller(
          ...keysFor(a.callSid, a.owner),
          scriptDeadline(a.notAfter),
          a.now,
          a.pinHash,
          ownerOf(a.owner),
          a.callSid,
          UNDO_WINDOW_MS,
          CALL_STATE_TTL_MS,
          `step:${a.step}`,
          JSON.stringify(a.decision),
          orderOf(a.caller),
          JSON.stringify(a.caller),
          a.owner.accountId,
          a.owner.userId,
        ),
      );
      if (isLate(reply)) throw new UnavailableError('admission ran after its deadline');
      return Array.isArray(reply) && reply[0] === 'ok';
    },

    /** Undoes `callSid`'s admission (see GIVE_BACK_ADMISSION_LUA); true when the PIN is live again. */
    async giveBack(g: { callSid: string; step: string; pinHash: string; owner: PinOwner; now: number }): Promise<boolean> {
      const apology: Decision = { kind: 'apology' };
      const reply = await withRedis(() =>
        redis.giveBackAdmission(
          ...keysFor(g.callSid, g.owner),
          g.now,
          g.pinHash,
          ownerOf(g.owner),
          g.callSid,
          `step:${g.step}`,
          JSON.stringify(apology),
        ),
      );
      return Array.isArray(reply) && reply[0] === 'restored';
    },
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
