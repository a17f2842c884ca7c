import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config.js';
import type { Logger } from '../logger.js';
import { COMMAND_TIMEOUT_MS } from './deadline.js';

export type RedisClient = Redis | Cluster;

// When Redis is down or hung a request fails fast, and nothing it asked for is replayed behind its back.
const SAFE_CONNECTION_OPTIONS = {
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2000,
  // Fail at once while disconnected, rather than queueing until Redis is back.
  enableOfflineQueue: false,
  // Never resend a command whose reply was lost with the connection.
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // No auto-pipelining: each of its batches is a Pipeline that copies all ~40 scripts onto itself,
  // which cost more than it saved (`npm run bench`: PIN webhook median 0.83 ms with it, 0.61 without).
  enableAutoPipelining: false,
  // Keep reconnecting, quickly, for as long as it takes: recovery needs no restart.
  retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
} satisfies RedisOptions;

export function connectRedis(
  target: RedisTarget,
  log: Logger,
  extra: Pick<RedisOptions, 'keyPrefix'> = {},
): RedisClient {
  const client = createClient(target, extra);
  // Without a listener ioredis prints every connection error; one structured line is enough.
  let lastError = '';
  client.on('error', (error: Error) => {
    if (error.message !== lastError) log.warn({ err: error }, 'redis connection error');
    lastError = error.message;
  });
  client.on('ready', () => {
    if (lastError !== '') log.info('redis connection restored');
    lastError = '';
  });
  return client;
}

/**
 * Commands sent in one turn of the event loop leave in one socket write (corked until the next
 * tick): a write per command was a fifth of the CPU under load. Order, and so reply matching, is kept.
 */
function writeTogether(client: Redis): Redis {
  const send = client.sendCommand.bind(client);
  let corked = false;
  client.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const socket = client.stream as Redis['stream'] | undefined;
    if (!corked && socket !== undefined && args[1] === undefined) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(...args);
  };
  return client;
}

function createClient(target: RedisTarget, extra: Pick<RedisOptions, 'keyPrefix'>): RedisClient {
  const options: RedisOptions = { ...SAFE_CONNECTION_OPTIONS, ...extra, lazyConnect: false };
  switch (target.kind) {
    case 'standalone':
      return writeTogether(new Redis(target.url, options));
    case 'sentinel':
      return writeTogether(new Redis({ ...options, sentinels: target.sentinels, name: target.name }));
    case 'cluster':
      return new Cluster(target.nodes, {
        enableOfflineQueue: false,
        redisOptions: options,
        clusterRetryStrategy: options.retryStrategy,
        ...extra,
      });
  }
}

/** Resolves once `redis` is ready (commands are not queued while it connects); rejects after `ms`, saying why. */
export function whenReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (error: Error) => (lastError = error.message);
    const timer = setTimeout(() => {
      redis.off('error', onError);
      reject(new Error(`${lastError} (waited ${String(ms)} ms)`));
    }, ms);
    redis.on('error', onError);
    redis.once('ready', () => {
      clearTimeout(timer);
      redis.off('error', onError);
      resolve();
    });
  });
}
