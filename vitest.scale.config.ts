import { defineConfig } from 'vitest/config';

/** The scale tests (`npm run test:scale`): Redis Cluster and Sentinel built from local redis-server processes. */
export default defineConfig({
  test: {
    include: ['test/scale/**/*.test.ts'],
    globalSetup: ['test/setup/private-redis.ts'],
    setupFiles: ['test/setup/no-secret-leaks.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
