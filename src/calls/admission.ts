import type { Result } from 'ioredis';
import { UnavailableError } from '../errors.js';
import { orderOf, WAITING_KEYS, type WaitingCaller } from '../oncall/waiting-callers.js';
import { WAITING_ENTRY_LUA } from '../oncall/waiting-scripts.js';
import { CONSUME_RESTORE_LUA, FORGET_PIN_LUA } from '../pins/pin-scripts.js';
import { ownerKey, PIN_KEYS, type PinOwner } from '../pins/pin-store.js';
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

// How long a consumption can be undone: far longer than any reply can be late.
export const UNDO_WINDOW_MS = 60_000;

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    admitCaller(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    giveBackAdmission(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

/**
 * admitCaller(...): the PIN used up (false when it is gone: used up or replaced; of racing
 * calls exactly one gets true), the step's decision recorded with who is calling and which
 * request admitted them (`admittedBy`: only that request may give the admission back), and the
 * caller held (WAITING_ENTRY_LUA's `waiting`: the six waiting keys). Shared by the admission
 * below and the PIN step that admits a caller the line's directory copy vouches for
 * (src/calls/pin-step-script.ts). Needs FORGET_PIN_LUA and consumeRestoreLua before it.
 * a: {now, hash, owner, callSid, call (key), stepField, decision, order, caller (JSON), accountId, userId, token}
 */
export const ADMIT_FN_LUA = `
local function admitCaller(a, waiting)
  if not consume(a.now, a.hash, a.owner, a.callSid, '${String(UNDO_WINDOW_MS)}') then return false end
  redis.call('HDEL', a.call, (string.gsub(a.stepField, '^step:', 'claim:')))
  redis.call('HSET', a.call, a.stepField, a.decision, 'accountId', a.accountId, 'userId', a.userId, 'admittedBy', a.token)
  redis.call('PEXPIRE', a.call, '${String(CALL_STATE_TTL_MS)}')
  holdCaller(waiting, a.callSid, a.order, a.caller, a.now)
  return true
end
`;

/**
 * KEYS: the six PIN keys (PIN_KEYS), call, the six waiting keys
 * ARGV: deadline, now, hash, owner, callSid, stepField, decision JSON, order, caller JSON, accountId, userId, token
 * Returns {'ok'} | {'gone'} (used up or replaced: of racing calls exactly one gets 'ok') | {'late'}
 */
export const ADMIT_CALLER_LUA = `${DEADLINE_GUARD_LUA}${FORGET_PIN_LUA}${CONSUME_RESTORE_LUA}${WAITING_ENTRY_LUA}${ADMIT_FN_LUA}
local admitted = admitCaller({now = ARGV[2], hash = ARGV[3], owner = ARGV[4], callSid = ARGV[5], call = KEYS[7],
  stepField = ARGV[6], decision = ARGV[7], order = ARGV[8], caller = ARGV[9], accountId = ARGV[10], userId = ARGV[11],
  token = ARGV[12]},
  {KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]})
if admitted then return {'ok'} end
return {'gone'}
`;

/**
 * Undoes an admission whose answer came too late, or never came (the caller heard the apology
 * instead): the caller is no longer held and the step says apology, and the PIN is live again
 * if this call used it, it has not expired and its owner has no newer PIN. Who was admitted, and
 * by which request, is read from the call's state, so a PIN step whose reply was lost can be
 * undone without knowing whether it admitted anyone; an admission another request made (the
 * same webhook sent twice, its first copy answered "connecting you") is left alone. No deadline:
 * safe whenever it runs, a no-op when this request admitted nobody.
 * KEYS: as ADMIT_CALLER_LUA  ARGV: now, callSid, stepField, apology JSON, token
 * Returns {'restored' | 'gone'}
 */
export const GIVE_BACK_ADMISSION_LUA = `${FORGET_PIN_LUA}${CONSUME_RESTORE_LUA}${WAITING_ENTRY_LUA}
if redis.call('HGET', KEYS[7], 'admittedBy') ~= ARGV[5] then return {'gone'} end
local step = redis.call('HGET', KEYS[7], ARGV[3])
if step and string.find(step, '"kind":"enqueue"', 1, true) then
  forgetCaller({KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]}, ARGV[2])
  redis.call('HSET', KEYS[7], ARGV[3], ARGV[4])
end
local who = redis.call('HMGET', KEYS[7], 'accountId', 'userId')
if not who[1] or not who[2] then return {'gone'} end
local owner = who[1] .. '/' .. who[2]
local consumed = redis.call('HGET', CONSUMED, owner)
if not consumed then return {'gone'} end
return {restore(ARGV[1], string.match(consumed, '^([^|]*)|'), owner, ARGV[2])}
`;


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
  /** The request's own mark (a random id): only the request that admitted may give the admission back. */
  token: string;
}

// The PIN arrives as its HMAC (computed once, by the guess check), so no secret is needed here.
export function createAdmissions(redis: RedisClient) {
  redis.defineCommand('admitCaller', { numberOfKeys: 13, lua: ADMIT_CALLER_LUA });
  redis.defineCommand('giveBackAdmission', { numberOfKeys: 13, lua: GIVE_BACK_ADMISSION_LUA });
  const keysFor = (callSid: string) => [...PIN_KEYS, keys.call(callSid), ...WAITING_KEYS];

  return {
    /** True when this call used the PIN up and its caller is held; false when the PIN is gone. */
    async admit(a: Admission): Promise<boolean> {
      const reply = await withRedis(() =>
        redis.admitCaller(
          ...keysFor(a.callSid),
          scriptDeadline(a.notAfter),
          a.now,
          a.pinHash,
          ownerKey(a.owner),
          a.callSid,
          `step:${a.step}`,
          JSON.stringify(a.decision),
          orderOf(a.caller),
          JSON.stringify(a.caller),
          a.owner.accountId,
          a.owner.userId,
          a.token,
        ),
      );
      if (isLate(reply)) throw new UnavailableError('admission ran after its deadline');
      return Array.isArray(reply) && reply[0] === 'ok';
    },

    /**
     * Undoes the admission the request marked `token` made at `callSid`'s step (see
     * GIVE_BACK_ADMISSION_LUA), if it made one; true when the PIN is live again.
     */
    async giveBack(g: { callSid: string; step: string; now: number; token: string }): Promise<boolean> {
      const apology: Decision = { kind: 'apology' };
      const reply = await withRedis(() =>
        redis.giveBackAdmission(...keysFor(g.callSid), g.now, g.callSid, `step:${g.step}`, JSON.stringify(apology), g.token),
      );
      return Array.isArray(reply) && reply[0] === 'restored';
    },
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
