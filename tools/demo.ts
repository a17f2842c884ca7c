import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

/**
 * `npm run demo`: callgate on this machine with nothing configured. Starts a
 * private redis-server (unless REDIS_URL is set), the service, seeds a demo
 * account with two users, issues a PIN and shows how to use the API.
 * `--once` does the same and exits (the test suite runs it that way).
 */

const once = process.argv.includes('--once');
const controlPanelKey = `demo-cp-${randomBytes(12).toString('hex')}`;

async function main(): Promise<void> {
  let privateRedis: PrivateRedis | undefined;
  if (process.env.REDIS_URL === undefined || process.env.REDIS_URL === '') {
    privateRedis = await startPrivateRedis();
    say(`Started a private redis-server on ${privateRedis.url}`);
  }

  const env = {
    PORT: process.env.PORT ?? '0',
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    REDIS_URL: privateRedis?.url ?? process.env.REDIS_URL,
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    SUPPORT_PHONE_NUMBER: '+442070000000',
    CONTROL_PANEL_API_KEYS: controlPanelKey,
    OPS_API_KEYS: `demo-ops-${randomBytes(12).toString('hex')}`,
    PIN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const log = createLogger({ level: config.logLevel });
  const redis = connectRedis(config.redis, log, { keyPrefix: 'demo:' });
  await new Promise((resolve) => redis.once('ready', resolve));
  const { app } = createApp({ config, policy: loadPolicy(undefined), log, redis, clock: systemClock });
  const server = app.listen(config.port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  say(`callgate is listening on ${base}`);

  await seed(base);

  const stop = async () => {
    server.close();
    redis.disconnect();
    await privateRedis?.stop();
  };
  if (once) {
    await stop();
    return;
  }
  say('\nPress Ctrl-C to stop.');
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
}

async function seed(base: string): Promise<void> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${controlPanelKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path} answered ${String(res.status)}: ${JSON.stringify(json)}`);
    return json;
  };
  const all = ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'];
  await call('PUT', '/v1/accounts/demo-hosting', { name: 'Demo Hosting Ltd', sla: 'managed_platform' });
  await call('PUT', '/v1/accounts/demo-hosting/users/ada', {
    name: 'Ada Lovelace',
    permissions: all,
    roles: ['admin_contact', 'billing_contact'],
  });
  await call('PUT', '/v1/accounts/demo-hosting/users/bob', { name: 'Bob Builder', permissions: ['manage_services'] });
  say('Seeded account demo-hosting (managed_platform): Ada (admin contact) and Bob (no Manage Support).');

  const issued = (await call('POST', '/v1/accounts/demo-hosting/users/ada/pin')) as {
    pin: string;
    expiresAt: string;
    supportLine: { openNow: boolean; nextChange: string | null };
  };
  say(`\nAda's PIN: ${issued.pin} (expires ${issued.expiresAt})`);
  say(`The line is ${issued.supportLine.openNow ? 'open' : 'closed'} now; it changes at ${issued.supportLine.nextChange ?? 'never'}.`);

  const refused = await fetch(`${base}/v1/accounts/demo-hosting/users/bob/pin`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${controlPanelKey}` },
  });
  say(`Bob asks for a PIN: ${String(refused.status)} ${JSON.stringify(await refused.json())}`);

  say('\nTry the API yourself:');
  say(`  curl -s -X POST -H 'Authorization: Bearer ${controlPanelKey}' ${base}/v1/accounts/demo-hosting/users/ada/pin`);
  say(`  curl -s -H 'Authorization: Bearer ${controlPanelKey}' ${base}/v1/accounts/demo-hosting/support-line`);
  say(`  curl -s ${base}/openapi.json`);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
