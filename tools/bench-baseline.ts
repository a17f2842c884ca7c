import express from 'express';
import { Redis } from 'ioredis';

/** The benchmark's baseline: a minimal express 5 handler doing one Redis GET, on the same Redis. */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const app = express();
app.post('/baseline', async (_req, res) => {
  const value = await redis.get('bench:baseline');
  res.type('text/plain').send(value ?? '');
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
