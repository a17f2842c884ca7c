import type { TestProject } from 'vitest/node';
import { startPrivateRedis, type PrivateRedis } from '../../tools/private-redis.js';

/** The whole run shares one private redis-server (or REDIS_URL, when set); each test app uses its own key prefix. */
let redis: PrivateRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') {
    project.provide('redisUrl', url);
    return;
  }
  redis = await startPrivateRedis();
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
