import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Cluster and Sentinel start their own Redis topologies: `npm run test:scale`.
    exclude: ['test/scale/**'],
    globalSetup: ['test/setup/private-redis.ts'],
    setupFiles: ['test/setup/no-secret-leaks.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
