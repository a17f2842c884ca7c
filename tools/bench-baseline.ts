import express from 'express';
import { Redis } from 'ioredis';

/**
 * The benchmark's baseline, on the same Redis: `/baseline`, a minimal express 5 handler doing one
 * Redis GET (the PIN webhook's tables, as measured since the start); `/webhook`, SPEC section 10's
 * minimal webhook, which also parses the form Twilio posts and answers a small TwiML document
 * (the mass outage's comparisons, sent the same signed form as the wait fetch it stands beside).
 */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const app = express();
app.post('/baseline', async (_req, res) => {
  const value = await redis.get('bench:baseline');
  res.type('text/plain').send(value ?? '');
});
app.post('/webhook', express.urlencoded({ extended: false }), async (req, res) => {
  const body = req.body as Record<string, unknown>;
  const value = await redis.get('bench:baseline');
  const held = typeof body.CallSid === 'string' && value !== null;
  res.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="${held ? '15' : '1'}"/></Response>`);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
