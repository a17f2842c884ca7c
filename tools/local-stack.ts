import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createApp } from '../src/app.js';
import { systemClock, type Clock } from '../src/clock.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/logger.js';
import { runEventDeliveryEvery } from '../src/events/event-delivery.js';
import { runPagerEvery } from '../src/oncall/pager-timer.js';
import { loadPolicy, parsePolicy } from '../src/policy/load-policy.js';
import type { PolicyInput } from '../src/policy/policy-schema.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { createSimulatedTwilio, type SimOptions, type SimulatedTwilio } from '../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../sim/twilio-rest-api.js';
import { freePort, startPrivateRedis, type PrivateRedis } from './private-redis.js';

/**
 * callgate on this machine with nothing configured, for the demo, `npm run
 * call` and the end-to-end tests: a private redis-server (unless REDIS_URL is
 * given), the Twilio REST stand-in, and one or more service instances sharing
 * that Redis, each on its own port, all behind one PUBLIC_BASE_URL.
 */
export interface Instance {
  url: string;
  close(): Promise<void>;
}

export interface LocalStack {
  config: Config;
  restApi: TwilioRestApi;
  instances: Instance[];
  /** Starts one more instance on the same Redis and REST stand-in, with its own policy or clock. */
  addInstance(options?: { policy?: PolicyInput; clock?: Clock }): Promise<Instance>;
  controlPanelKey: string;
  opsKey: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: {
  policy?: PolicyInput;
  clock?: Clock;
  instances?: number;
  redisUrl?: string;
  keyPrefix?: string;
  log?: Logger;
  /** EVENTS_URL and EVENTS_SECRET (e.g. sim/event-receiver.ts); each instance then delivers events as main.ts does. */
  events?: { url: string; secret: string };
} = {}): Promise<LocalStack> {
  let privateRedis: PrivateRedis | undefined;
  const redisUrl = options.redisUrl ?? (privateRedis = await startPrivateRedis()).url;
  const twilioAccount = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
  // The stand-in checks Basic auth as Twilio would, so a wrong credential shows up locally.
  const restApi = await startTwilioRestApi(twilioAccount);
  const firstPort = await freePort();
  const controlPanelKey = `cp-${randomBytes(12).toString('hex')}`;
  const opsKey = `ops-${randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    PORT: String(firstPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${String(firstPort)}`,
    REDIS_URL: redisUrl,
    TWILIO_ACCOUNT_SID: twilioAccount.accountSid,
    TWILIO_AUTH_TOKEN: twilioAccount.authToken,
    TWILIO_API_URL: restApi.url,
    SUPPORT_PHONE_NUMBER: '+442070000000',
    CONTROL_PANEL_API_KEYS: controlPanelKey,
    OPS_API_KEYS: opsKey,
    PIN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    EVENTS_URL: options.events?.url,
    EVENTS_SECRET: options.events?.secret,
  });
  const log = options.log ?? createLogger({ level: config.logLevel });
  const keyPrefix = options.keyPrefix ?? `local-${randomBytes(4).toString('hex')}:`;
  const instances: Instance[] = [];

  async function addInstance(extra: { policy?: PolicyInput; clock?: Clock } = {}): Promise<Instance> {
    const port = instances.length === 0 ? firstPort : await freePort();
    const redis = connectRedis(config.redis, log, { keyPrefix });
    await new Promise((resolve) => redis.once('ready', resolve));
    const policyInput = extra.policy ?? options.policy;
    const policy = policyInput === undefined ? loadPolicy(undefined) : parsePolicy(policyInput);
    const { app, pager, eventOutbox } = createApp({ config, policy, log, redis, clock: extra.clock ?? options.clock ?? systemClock });
    const stopPager = runPagerEvery(pager, 250);
    const { delivery } = eventOutbox;
    // Stopped as on SIGTERM: attempts in flight finish (within policy.events.sendTimeoutSeconds) first.
    const stopEvents = delivery === undefined ? () => Promise.resolve() : runEventDeliveryEvery(delivery, 100, log);
    const server: Server = createServer(app).listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const instance: Instance = {
      url: `http://127.0.0.1:${String(port)}`,
      close: async () => {
        stopPager();
        await stopEvents();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        redis.disconnect();
      },
    };
    instances.push(instance);
    return instance;
  }

  for (let i = 0; i < (options.instances ?? 1); i += 1) await addInstance();

  return {
    config,
    restApi,
    instances,
    addInstance,
    controlPanelKey,
    opsKey,
    stop: async () => {
      for (const instance of instances) await instance.close();
      await restApi.close();
      await privateRedis?.stop();
    },
  };
}

/** A JSON client for the stack's API, with the given key. */
export function apiClient(baseUrl: string, key: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
}

/** What a caller of `simulatorFor` may set: every simulator option except what the stack decides. */
export type StackSimOptions = Omit<SimOptions, 'serviceUrls' | 'publicBaseUrl' | 'accountSid' | 'authToken' | 'supportNumber' | 'restApi'> & {
  instances?: Instance[];
  /** Whether callgate's pages ring this simulator's phones (default true; one simulator per stack may). */
  ringsPages?: boolean;
};

/**
 * The Twilio simulator for this stack, sending webhooks to `instances` in turn.
 * Every SimOptions setting passes through (fallbackUrl, mediaSeconds, statusCallbackDelaySeconds, …).
 */
export function simulatorFor(stack: LocalStack, options: StackSimOptions): SimulatedTwilio {
  const { instances, ringsPages, ...simOptions } = options;
  return createSimulatedTwilio({
    ...simOptions,
    serviceUrls: (instances ?? stack.instances).map((instance) => instance.url),
    publicBaseUrl: stack.config.publicBaseUrl,
    accountSid: stack.config.twilio.accountSid,
    authToken: stack.config.twilio.authToken,
    supportNumber: stack.config.supportPhoneNumber,
    ...(ringsPages === false ? {} : { restApi: stack.restApi }),
  });
}
