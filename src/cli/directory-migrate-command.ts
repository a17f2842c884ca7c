import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectRedis, whenReady } from '../redis/connect-redis.js';
import { migrateDirectory } from './directory-migrate.js';

// `npm run directory:migrate` (docs/architecture.md "Upgrading"): run with the service's environment after
// stopping the old instances (a change they make afterwards is not seen) and before starting the new ones.
const config = loadConfig(process.env);
const redis = connectRedis(config.redis, createLogger({ level: 'warn' }));
try {
  await whenReady(redis, 10_000);
  const report = await migrateDirectory(redis);
  process.stdout.write(
    `directory migrated: ${String(report.imported)} accounts imported, ${String(report.alreadyThere)} already there, ${String(report.users)} users added\n`,
  );
  for (const key of report.skipped) process.stdout.write(`left behind, not in any shape callgate wrote: ${key}\n`);
  if (report.skipped.length > 0) process.exitCode = 1;
} finally {
  redis.disconnect();
}
