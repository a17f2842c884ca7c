import { setTimeout as sleep } from 'node:timers/promises';
import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect-redis.js';
import { DEADLINE_GUARD_LUA, isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { UnavailableError } from '../errors.js';
import type { Decision } from './decisions.js';

/**
 * One call's state, a Redis hash under the call's own hash tag, so any
 * instance can answer any webhook of the call. It holds the decision of each
 * step already answered (`step:voice`, `step:pin:2`), the claim on a step being
 * decided (`claim:pin:2`), failed and empty PIN entries, the account code typed,
 * and once verified, who is calling and which request admitted them (`admittedBy`,
 * src/calls/admission.ts).
 */
export interface CallState extends CallFacts {
  failures: number;
  /** PIN prompts answered with nothing (silence, or a lone #): they cost no attempt, but are bounded too. */
  empties: number;
  steps: Record<string, Decision>;
}

/** Who is calling, once the PIN told us: the end-of-call events are filed under the account. */
export interface CallFacts {
  accountId?: string;
  userId?: string;
  /** The account code the caller typed, when the line asked for it. */
  accountCode?: string;
}

type ScriptArg = string | number;
declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimCallStep(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    recordCallStep(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

/**
 * Claims a step for deciding, so two identical webhooks at the same moment get one decision:
 * the first claims it; the other is told the step is being decided (and waits for the
 * decision); a step decided before returns its decision. A claim lapses after claimMs (by
 * Redis' clock), so a retry can decide a step whose first instance died.
 * Lua functions for scripts that start with DEADLINE_GUARD_LUA (they read its `clockMs`):
 * readState(callKey) returns the call's state as Redis replies it and as a table field -> value;
 * stepTaken(fields, stepField, claimField) returns {'decided', decision} or {'busy'}, or nil when
 * the step is free; holdStep(callKey, claimField, claimMs, ttlMs) then claims it.
 */
export const CLAIM_STEP_FN_LUA = `
-- Redis' own time, read by DEADLINE_GUARD_LUA (which every script using this starts with).
local nowMs = clockMs
local function readState(call)
  local state = redis.call('HGETALL', call)
  local fields = {}
  for i = 1, #state, 2 do fields[state[i]] = state[i + 1] end
  return state, fields
end
-- Why this request may not take the step: it was decided ({'decided', decision}), or an identical
-- request holds it ({'busy'}); nil when it is free. \`fields\`: the call's state, field -> value.
local function stepTaken(fields, stepField, claimField)
  local decided = fields[stepField]
  if decided then return {'decided', decided} end
  local claim = fields[claimField]
  if claim and tonumber(claim) > nowMs then return {'busy'} end
  return nil
end
-- Holds the step for this request until it records a decision (or claimMs pass).
local function holdStep(call, claimField, claimMs, ttlMs)
  redis.call('HSET', call, claimField, nowMs + tonumber(claimMs))
  redis.call('PEXPIRE', call, ttlMs)
end
`;

/**
 * Claims a step (CLAIM_STEP_FN_LUA) and returns the call's whole state with it (read before the
 * claim was written: the state never carries claims).
 * KEYS: call  ARGV: deadline, stepField, claimField, claimMs, ttlMs
 * Returns {'decided', decision} | {'busy'} | {'claimed', field, value, ...} (the whole state) | {'late'}
 */
export const CLAIM_CALL_STEP_LUA = `${DEADLINE_GUARD_LUA}${CLAIM_STEP_FN_LUA}
local state, fields = readState(KEYS[1])
local taken = stepTaken(fields, ARGV[2], ARGV[3])
if taken then return taken end
holdStep(KEYS[1], ARGV[3], ARGV[4], ARGV[5])
local reply = {'claimed'}
for _, item in ipairs(state) do reply[#reply + 1] = item end
return reply
`;

/**
 * KEYS: call  ARGV: ttlMs, stepField ('' for none), decision, counter to add 1 to ('' for none), field, value, ...
 * Records a step's decision once (a retried step keeps the first) and releases its claim,
 * counts a failed or empty entry, sets facts.
 * Returns 0 when the step had been recorded before (a retry), else 1.
 */
export const RECORD_CALL_STEP_LUA = `
if ARGV[2] ~= '' then
  redis.call('HDEL', KEYS[1], (string.gsub(ARGV[2], '^step:', 'claim:')))
  if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    return 0
  end
end
if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[1], ARGV[4], 1) end
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

// Longer than any call can last; the history lives in the audit stream, not here.
export const CALL_STATE_TTL_MS = 6 * 3_600_000;
// Longer than a webhook may take to answer (src/http/twilio/webhook-budget.ts).
export const CLAIM_MS = 2_000;
// How long an identical webhook waits for the first one's decision, and how often it looks.
const WAIT_FOR_DECISION_MS = 1_200;
const POLL_MS = 25;

// Read by hand rather than with a schema: this runs on every webhook, and the script wrote every field.
const count = (value: string | undefined): number => (value === undefined ? 0 : Math.trunc(Number(value)) || 0);

function stateOf(hash: Record<string, string>): CallState {
  const steps: Record<string, Decision> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('step:')) steps[field.slice(5)] = JSON.parse(value) as Decision;
  }
  const { accountId, userId, accountCode } = hash;
  return {
    failures: count(hash.failures),
    empties: count(hash.empties),
    ...(accountId === undefined ? {} : { accountId }),
    ...(userId === undefined ? {} : { userId }),
    ...(accountCode === undefined ? {} : { accountCode }),
    steps,
  };
}

export type StepClaim = { kind: 'decided'; decision: Decision } | { kind: 'claimed'; state: CallState };

/**
 * Sends a script that claims a step (CLAIM_STEP_FN_LUA) until it has an answer: the step's
 * decision if it was taken (a retried webhook), else the claim, with the `extra` items the script
 * put after 'claimed' and the call's state (field, value, ...) after them. An identical request
 * already deciding the step is waited for, briefly, and its decision returned.
 */
export async function claimStepWith(
  send: () => Promise<unknown>,
  extra = 0,
): Promise<{ kind: 'decided'; decision: Decision } | { kind: 'claimed'; state: CallState; extra: string[] }> {
  const started = Date.now();
  for (;;) {
    const reply = await withRedis(send);
    if (isLate(reply)) throw new UnavailableError('step claim ran after its deadline');
    const [outcome, ...rest] = Array.isArray(reply) ? (reply as unknown[]).map(String) : [];
    if (outcome === 'decided') return { kind: 'decided', decision: JSON.parse(rest[0] ?? '') as Decision };
    if (outcome === 'claimed') {
      const hash: Record<string, string> = {};
      for (let i = extra; i + 1 < rest.length; i += 2) hash[rest[i] ?? ''] = rest[i + 1] ?? '';
      return { kind: 'claimed', state: stateOf(hash), extra: rest.slice(0, extra) };
    }
    if (Date.now() - started > WAIT_FOR_DECISION_MS) throw new UnavailableError('an identical webhook is still deciding this step');
    await sleep(POLL_MS);
  }
}

export function createCallStates(redis: RedisClient) {
  redis.defineCommand('claimCallStep', { numberOfKeys: 1, lua: CLAIM_CALL_STEP_LUA });
  redis.defineCommand('recordCallStep', { numberOfKeys: 1, lua: RECORD_CALL_STEP_LUA });

  async function get(callSid: string): Promise<CallState> {
    return stateOf(await withRedis(() => redis.hgetall(keys.call(callSid))));
  }

  return {
    get,

    /**
     * The step's decision if it was taken (a retried webhook), else the call's state with the
     * step claimed for this request, which must then record a decision. An identical request
     * already deciding the step is waited for, briefly, and its decision returned.
     */
    async claim(callSid: string, step: string): Promise<StepClaim> {
      const claim = await claimStepWith(() =>
        redis.claimCallStep(keys.call(callSid), scriptDeadline(), `step:${step}`, `claim:${step}`, CLAIM_MS, CALL_STATE_TTL_MS),
      );
      return claim.kind === 'decided' ? claim : { kind: 'claimed', state: claim.state };
    },

    /**
     * Records a step's decision (once: a retried step keeps the first and changes nothing),
     * releases the step's claim, counts a failed or empty PIN entry, and sets any facts learnt.
     * Returns false when the step had already been recorded.
     */
    async record(
      callSid: string,
      change: { step?: string; decision?: Decision; failed?: boolean; empty?: boolean; facts?: CallFacts },
    ): Promise<boolean> {
      const facts = Object.entries(change.facts ?? {}).flatMap(([field, value]) =>
        value === undefined ? [] : [field, String(value)],
      );
      const recordsStep = change.step !== undefined && change.decision !== undefined;
      const counter = change.failed === true ? 'failures' : change.empty === true ? 'empties' : '';
      const first = await withRedis(() =>
        redis.recordCallStep(
          keys.call(callSid),
          CALL_STATE_TTL_MS,
          recordsStep ? `step:${change.step ?? ''}` : '',
          recordsStep ? JSON.stringify(change.decision) : '',
          counter,
          ...facts,
        ),
      );
      return Number(first) === 1;
    },
  };
}

export type CallStates = ReturnType<typeof createCallStates>;
