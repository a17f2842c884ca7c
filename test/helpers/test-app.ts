import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import type { Pager } from '../../src/oncall/pager.js';
import type { Dialer } from '../../src/oncall/twilio-dialer.js';
import { ConfigError, loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';
import type { Policy, PolicyInput } from '../../src/policy/policy-schema.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { connectRedis, type RedisClient } from '../../src/redis/connect-redis.js';
import { logSink, rememberSecret } from './leak-watch.js';
import { testClock, type TestClock } from './test-clock.js';

export const CONTROL_PANEL_KEY = 'cp-test-key-0123456789abcdef';
export const OLD_CONTROL_PANEL_KEY = 'cp-old-key-0123456789abcdef0';
export const OPS_KEY = 'ops-test-key-0123456789abcdef';

/** What loadConfig says is wrong with the test environment changed by `overrides` (none: []). */
export function configProblems(overrides: Record<string, string | undefined>): string[] {
  try {
    loadConfig(testEnv(overrides));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** A valid environment for tests; `overrides` replace or (with undefined) remove variables. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PUBLIC_BASE_URL: 'https://callgate.example.com',
    REDIS_URL: inject('redisUrl'),
    TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
    TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789',
    SUPPORT_PHONE_NUMBER: '+442071234567',
    CONTROL_PANEL_API_KEYS: `${CONTROL_PANEL_KEY},${OLD_CONTROL_PANEL_KEY}`,
    OPS_API_KEYS: OPS_KEY,
    PIN_SECRET: 'test-pin-secret-that-is-at-least-32-bytes-long',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export interface TestApp {
  app: RequestListener;
  /** The internal listener: /readyz and /metrics (never on the public `app`). */
  internal: RequestListener;
  pager: Pager;
  redis: RedisClient;
  clock: TestClock;
  config: Config;
  policy: Policy;
  /** The key prefix of this app's data in the shared test Redis. */
  prefix: string;
  close(): Promise<void>;
}

/** Builds the app against the test run's private Redis, with its own key prefix, logs captured. */
export async function buildTestApp(
  options: {
    env?: Record<string, string | undefined>;
    policy?: PolicyInput;
    clock?: TestClock;
    redisUrl?: string;
    /** Share another test app's data (two instances behind one Redis). */
    prefix?: string;
    dialer?: Dialer;
  } = {},
): Promise<TestApp> {
  const env = testEnv({ ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }), ...options.env });
  const config = loadConfig(env);
  for (const key of [...config.apiKeys.controlPanel, ...config.apiKeys.ops]) rememberSecret(key);
  const policy = options.policy === undefined ? loadPolicy(undefined) : parsePolicy(options.policy);
  const log = createLogger({ level: 'info', destination: logSink });
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}:`;
  const redis = connectRedis(config.redis, log, { keyPrefix: prefix });
  await new Promise((resolve) => redis.once('ready', resolve));
  const clock = options.clock ?? testClock();
  const { app, internal, pager } = createApp({ config, policy, log, redis, clock, ...(options.dialer === undefined ? {} : { dialer: options.dialer }) });
  return {
    app,
    internal,
    pager,
    redis,
    clock,
    config,
    policy,
    prefix,
    close: () => {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

/** The default policy with changes, for tests that need other hours or limits. */
export const policyWith = (changes: Partial<PolicyInput>): PolicyInput => ({ ...DEFAULT_POLICY, ...changes });
