import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config.js';
import type { Logger } from '../logger.js';
import { COMMAND_TIMEOUT_MS } from './deadline.js';

export type RedisClient = Redis | Cluster;


/**
 * Options shared by every connection. The point of each: when Redis is down or
 * hung, a request fails fast instead of waiting, and nothing it asked for is
 * replayed later behind the caller's back.
 */
export const SAFE_CONNECTION_OPTIONS = {
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2000,
  // Fail at once while disconnected, rather than queueing until Redis is back.
  enableOfflineQueue: false,
  // Never resend a command whose reply was lost with the connection.
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // No auto-pipelining: every batch it makes is an ioredis Pipeline, whose constructor copies each
  // of callgate's ~40 scripts onto it, and that cost more than the syscalls batching saves. Measured
  // with `npm run bench`: without it, the PIN webhook's median one at a time fell from 0.81-0.85 ms
  // to 0.59-0.63 ms, and its throughput at 64 concurrent stayed the same (0.63-0.73x baseline).
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
 * Commands sent in one turn of the event loop leave in one socket write: the connection's
 * socket is corked at the first and uncorked on the next tick, so Node writes them together
 * (auto-pipelining's gain without its Pipeline objects). Under load, when many webhooks send
 * at once, a write per command was a fifth of the service's CPU (the kernel's loopback send,
 * in `BENCH_PROFILE`'s profile); a lone command waits only for the current tick to end.
 * Order is unchanged: ioredis matches replies to commands in the order they were sent.
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
        ...(extra.keyPrefix === undefined ? {} : { keyPrefix: extra.keyPrefix }),
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
