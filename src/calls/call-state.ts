import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys, PIN_KEYS } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asFlag, asUnknown, defineScript } from '../redis/scripts.js';
import { UnavailableError } from '../errors.js';
import { storedDecision, type Decision } from './decisions.js';

/**
 * One call's state, a Redis hash any instance can read: each answered step's decision (`step:pin:2`),
 * the claim on a step being decided (`claim:pin:2`), failed and empty entries, and what the call told us.
 */
export interface CallState {
  failures: number;
  /** PIN prompts answered with nothing (silence, or a lone #): they cost no attempt, but are bounded too. */
  empties: number;
  steps: Record<string, Decision>;
  // Who is calling (set at admission), the account code typed, and the number a missed caller is called back on.
  accountId?: string;
  userId?: string;
  accountCode?: string;
  from?: string;
}

// Longer than any call can last; the history lives in the audit stream, not here.
export const CALL_STATE_TTL_MS = 6 * 3_600_000;
// Once the call's end is reported only late or repeated callbacks come: an hour covers them.
export const ENDED_CALL_STATE_TTL_MS = 3_600_000;
// Longer than a webhook may take to answer (src/http/twilio/webhook-answers.ts).
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
  const { accountId, userId, accountCode, from } = hash;
  return { failures: count(hash.failures), empties: count(hash.empties), accountId, userId, accountCode, from, steps };
}

/**
 * Sends a script that claims a step (lua/includes/claim-step.lua): the step's decision if it was taken
 * (a retried webhook), else the claim, with the `extra` items the script put before the call's state.
 * An identical request already deciding the step is waited for, briefly, and its decision returned.
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
  const claimCallStep = defineScript(redis, new URL('./lua/claim-call-step-1.lua', import.meta.url), asUnknown);
  const recordCallStep = defineScript(redis, new URL('./lua/record-call-step-1.lua', import.meta.url), asFlag);

  return {
    get: async (callSid: string): Promise<CallState> =>
      stateOf(await withRedis(() => redis.hgetall(keys.call(callSid)))),

    /** The step's decision if it was taken, else the call's state with the step claimed: record a decision next. */
    claim: (callSid: string, step: string) =>
      claimStepWith(() =>
        claimCallStep([keys.call(callSid)], [scriptDeadline(), `step:${step}`, `claim:${step}`, CLAIM_MS, CALL_STATE_TTL_MS]),
      ),

    /**
     * Records a step's decision once (false for a retried step: the first stays), releases its claim,
     * counts a failed or empty PIN entry, and keeps the account code typed.
     */
    async record(
      callSid: string,
      change: { step: string; decision: Decision; failed?: boolean; empty?: boolean; accountCode?: string },
      ttlMs = CALL_STATE_TTL_MS,
    ): Promise<boolean> {
      const facts = change.accountCode === undefined ? [] : ['accountCode', change.accountCode];
      const counter = change.failed === true ? 'failures' : change.empty === true ? 'empties' : '';
      const stored = storedDecision(change.decision);
      return recordCallStep([keys.call(callSid)], [ttlMs, `step:${change.step}`, stored, counter, ...facts]);
    },
  };
}

export type CallStates = ReturnType<typeof createCallStates>;

// A caller is admitted inside the PIN step's script (lua/includes/admit-caller.lua), the PIN leased to
// the call; their first wait-URL fetch confirms the lease, and their call ending before that releases it.
export function createAdmissions(redis: RedisClient) {
  const releaseLease = defineScript(redis, new URL('./lua/release-lease-7.lua', import.meta.url), asFlag);
  return {
    /** The call ended before its caller fetched the wait URL: the PIN their admission leased is live again. */
    release: (callSid: string, now: number): Promise<boolean> =>
      releaseLease([...PIN_KEYS, keys.call(callSid)], [callSid, now]),
  };
}

export type Admissions = ReturnType<typeof createAdmissions>;
