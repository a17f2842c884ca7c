import type { Result } from 'ioredis';
import { COUNT_LINE_FAILURE_LUA, RECORD_CALLER_FAILURE_LUA } from '../calls/abuse-limits.js';
import { RECORD_CALL_STEP_LUA } from '../calls/call-state.js';
import { CLAIM_WAITING_CALLER_LUA, SAVE_WAITING_CALLER_LUA } from '../oncall/waiting-callers.js';
import { RELEASE_LOCK_LUA } from '../oncall/pager.js';
import { CONSUME_PIN_LUA, ISSUE_PIN_LUA, REVOKE_PINS_LUA } from '../pins/pin-scripts.js';
import type { RedisClient } from './connect-redis.js';

type ScriptArg = string | number;

// ioredis' documented way to type commands added with defineCommand.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    issuePin(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    consumePin(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    revokePins(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    recordCallerFailure(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    saveWaitingCaller(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    claimWaitingCaller(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    countLineFailure(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    recordCallStep(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    releaseLock(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

/** Registers callgate's Lua scripts (sent by EVALSHA, loaded on first use). */
export function defineScripts(redis: RedisClient): void {
  redis.defineCommand('issuePin', { numberOfKeys: 4, lua: ISSUE_PIN_LUA });
  redis.defineCommand('consumePin', { numberOfKeys: 3, lua: CONSUME_PIN_LUA });
  redis.defineCommand('revokePins', { numberOfKeys: 3, lua: REVOKE_PINS_LUA });
  redis.defineCommand('recordCallerFailure', { numberOfKeys: 2, lua: RECORD_CALLER_FAILURE_LUA });
  redis.defineCommand('saveWaitingCaller', { numberOfKeys: 2, lua: SAVE_WAITING_CALLER_LUA });
  redis.defineCommand('claimWaitingCaller', { numberOfKeys: 2, lua: CLAIM_WAITING_CALLER_LUA });
  redis.defineCommand('countLineFailure', { numberOfKeys: 1, lua: COUNT_LINE_FAILURE_LUA });
  redis.defineCommand('recordCallStep', { numberOfKeys: 1, lua: RECORD_CALL_STEP_LUA });
  redis.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK_LUA });
}
