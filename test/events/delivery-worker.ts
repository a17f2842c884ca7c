import { createLogger } from '../../src/logger.js';
import { createEventDelivery, runEventDeliveryEvery } from '../../src/events/event-delivery.js';
import { createOutboxQueue } from '../../src/events/outbox-queue.js';
import { connectRedis } from '../../src/redis/connect-redis.js';

/**
 * A callgate instance reduced to its event delivery, as its own process, so a test
 * can kill it with SIGKILL in the middle of an attempt. Settings come as JSON in argv.
 */
const [redisUrl = '', prefix = '', url = '', settingsJson = '{}'] = process.argv.slice(2);
const secret = process.env.EVENTS_SECRET ?? '';
const log = createLogger({ level: 'warn' });
const redis = connectRedis({ kind: 'standalone', url: redisUrl }, log, { keyPrefix: prefix });
redis.once('ready', () => {
  const delivery = createEventDelivery({ queue: createOutboxQueue(redis), target: { url, secret }, settings: JSON.parse(settingsJson) as never, log });
  runEventDeliveryEvery(delivery, 20, log);
  process.stdout.write('delivering\n');
});
