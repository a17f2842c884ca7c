import { createServer } from 'node:http';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { loadPolicy } from '../../../src/policy/load-policy.js';
import { connectRedis } from '../../../src/redis/connect-redis.js';

/**
 * callgate in a process of its own, as main.ts runs it (no pager timer: only what a webhook
 * does counts), that kills itself with SIGKILL the instant it has written an answer putting a
 * caller through: whatever the call path left for after the answer never runs. For
 * test/calls/crash-after-answer.test.ts. KEY_PREFIX shares the test's data; CLOCK_AT fixes now.
 */
const config = loadConfig(process.env);
const at = Date.parse(process.env.CLOCK_AT ?? '');
const log = createLogger({ level: 'error' });
const redis = connectRedis(config.redis, log, { keyPrefix: process.env.KEY_PREFIX ?? '' });
const { app } = createApp({ config, policy: loadPolicy(undefined), log, redis, clock: { now: () => at } });

const server = createServer((req, res) => {
  const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
  res.end = ((...args: unknown[]) => {
    const sent = end(...args);
    // The answer is on the socket (written synchronously); nothing after it runs.
    if (String(args[0]).includes('<Enqueue')) process.kill(process.pid, 'SIGKILL');
    return sent;
  }) as typeof res.end;
  app(req, res);
});
redis.once('ready', () => {
  server.listen(config.port, '127.0.0.1', () => process.stdout.write('ready\n'));
});
