import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { runEventDeliveryEvery } from './events/event-delivery.js';
import { loadPromptCatalogue, PromptCatalogueError, type PromptCatalogue } from './ivr/prompt-catalogue.js';
import { createLogger } from './logger.js';
import { runPagerEvery } from './oncall/pager-timer.js';
import { runRotaSyncEvery } from './oncall/rota-source/rota-sync.js';
import { loadPolicy, PolicyError } from './policy/load-policy.js';
import type { Policy } from './policy/policy-schema.js';
import { checkClockSkew } from './redis/clock-skew.js';
import { connectRedis } from './redis/connect-redis.js';

/** Loads configuration, connects Redis, listens, and shuts down cleanly on SIGTERM/SIGINT. */

const SHUTDOWN_GRACE_MS = 10_000;
// Paging chains move on when a ring time runs out; a tick each second notices.
const PAGER_TICK_MS = 1000;
// Due events are claimed this often; an event waits at most about this long for its first attempt.
const EVENTS_TICK_MS = 500;

function start(): void {
  let config: Config;
  let policy: Policy;
  let catalogue: PromptCatalogue;
  try {
    config = loadConfig(process.env);
    policy = loadPolicy(config.policyFile);
    // Loaded here, so a bad prompt stops the process with a message, not a stack trace.
    catalogue = loadPromptCatalogue(policy.voice.language);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PolicyError || error instanceof PromptCatalogueError) {
      process.stderr.write(`callgate: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const log = createLogger({ level: config.logLevel });
  const redis = connectRedis(config.redis, log);
  redis.once('ready', () => {
    checkClockSkew(redis, log).catch((error: unknown) => {
      log.warn({ err: error }, 'could not compare clocks with redis');
    });
  });

  const { app, internal, pager, eventOutbox, rotaSync, consoleStream } = createApp({ config, policy, log, redis, clock: systemClock, catalogue });
  const stopPager = runPagerEvery(pager, PAGER_TICK_MS);
  // Every instance reads the source; a rota unchanged there is never written again (rota-sync.ts).
  const { rotaSource } = config;
  const stopRotaSync = rotaSync === undefined || rotaSource.kind === 'builtin' ? () => undefined : runRotaSyncEvery(rotaSync, rotaSource.syncMs, log);
  if (rotaSource.kind !== 'builtin') log.info({ source: rotaSource.kind, syncSeconds: rotaSource.syncMs / 1000 }, 'the rota is read from its source (docs/rota-sources.md)');
  const { delivery } = eventOutbox;
  const stopEvents = delivery === undefined ? () => Promise.resolve() : runEventDeliveryEvery(delivery, EVENTS_TICK_MS, log);
  if (delivery === undefined) log.warn('EVENTS_URL is not set: events stay in the capped outbox and the control panel is not told of missed calls');
  const server = createServer(app).listen(config.port, () => {
    log.info({ port: config.port, publicBaseUrl: config.publicBaseUrl }, 'callgate listening');
  });
  // Probes and Prometheus only: never on the port Twilio reaches (README "The two listeners").
  const internalServer = createServer(internal).listen(config.internal.port, config.internal.host, () => {
    log.info({ internal: internalServer.address() }, 'callgate listening for /readyz and /metrics');
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    stopPager();
    stopRotaSync();
    // The console's live streams never finish on their own; the pages open them again on another instance.
    consoleStream.close();
    // Attempts in flight end within the send timeout and are recorded, rather than sent again later.
    void Promise.all([shutDown(server), shutDown(internalServer), stopEvents()]).then(async () => {
      await redis.quit().catch(() => undefined);
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Stops accepting connections and waits for requests in flight, at most SHUTDOWN_GRACE_MS. */
function shutDown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

start();
