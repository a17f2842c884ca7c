import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PolicyInput } from '../../src/policy/policy-schema.js';
import { freePort } from '../../tools/private-redis.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';
import { SUPPORT_NUMBER } from './outage-line.js';

/** Every line the instances logged, for the PIN check (outage-callers.ts pinsIn). */
export const serviceLogLines: string[] = [];

/**
 * Service instances as production runs them: `src/main.ts` in processes of their own, so one
 * can be killed outright (SIGKILL: no shutdown, requests and leases in flight simply stop).
 * Every instance has the same PUBLIC_BASE_URL, as behind one load balancer: Twilio signs
 * that URL whichever instance answers. Their log lines go to the leak watch (for the keys) and
 * to serviceLogLines (for the PINs, see outage-callers.ts).
 */
export interface ServiceInstance {
  url: string;
  internalUrl: string;
  kill(): void;
  stop(): Promise<void>;
}

export interface ServiceFleet {
  publicBaseUrl: string;
  authToken: string;
  accountSid: string;
  controlPanelKey: string;
  opsKey: string;
  instances: ServiceInstance[];
  stop(): Promise<void>;
}

async function until(url: string, child: ChildProcess): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`callgate exited (${String(child.exitCode)}) before it was ready`);
    if (await fetch(url).then((res) => res.status === 200, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer within 30 s`);
}

export async function startServiceFleet(options: {
  count: number;
  policy: PolicyInput;
  dir: string;
  redisEnv: Record<string, string>;
  twilioApiUrl: string;
  twilio: { accountSid: string; authToken: string };
  events: { url: string; secret: string };
}): Promise<ServiceFleet> {
  const policyFile = join(options.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(options.policy));
  const ports = await Promise.all(Array.from({ length: options.count }, async () => ({ port: await freePort(), internal: await freePort() })));
  const publicBaseUrl = `http://127.0.0.1:${String(ports[0]?.port ?? 0)}`;
  const controlPanelKey = `cp-${randomBytes(12).toString('hex')}`;
  const opsKey = `ops-${randomBytes(12).toString('hex')}`;
  rememberSecret(controlPanelKey);
  rememberSecret(opsKey);
  const shared = {
    PATH: process.env.PATH ?? '',
    PUBLIC_BASE_URL: publicBaseUrl,
    ...options.redisEnv,
    TWILIO_ACCOUNT_SID: options.twilio.accountSid,
    TWILIO_AUTH_TOKEN: options.twilio.authToken,
    TWILIO_API_URL: options.twilioApiUrl,
    SUPPORT_PHONE_NUMBER: SUPPORT_NUMBER,
    CONTROL_PANEL_API_KEYS: controlPanelKey,
    OPS_API_KEYS: opsKey,
    PIN_SECRET: randomBytes(32).toString('hex'),
    POLICY_FILE: policyFile,
    LOG_LEVEL: 'warn',
    EVENTS_URL: options.events.url,
    EVENTS_SECRET: options.events.secret,
  };
  rememberSecret(shared.PIN_SECRET);
  const instances = await Promise.all(
    ports.map(async ({ port, internal }) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...shared, PORT: String(port), INTERNAL_PORT: String(internal) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(logSink, { end: false });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => serviceLogLines.push(...chunk.split('\n')));
      }
      const internalUrl = `http://127.0.0.1:${String(internal)}`;
      await until(`${internalUrl}/readyz`, child);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const instance: ServiceInstance = {
        url: `http://127.0.0.1:${String(port)}`,
        internalUrl,
        kill: () => child.kill('SIGKILL'),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
      return instance;
    }),
  );
  return {
    publicBaseUrl,
    ...options.twilio,
    controlPanelKey,
    opsKey,
    instances,
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
    },
  };
}
