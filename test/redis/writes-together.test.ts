import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedis } from '../../src/redis/connect-redis.js';
import { createLogger } from '../../src/logger.js';

/*
 * src/redis/connect-redis.ts writes the commands sent in one turn of the event loop together
 * (a corked socket), which the bench measured as less CPU per webhook under load. What must
 * never change with it: every command gets its own reply, in the order sent.
 */
const redis = connectRedis({ kind: 'standalone', url: inject('redisUrl') }, createLogger({ level: 'silent' }));
afterAll(() => {
  redis.disconnect();
});

/** How many times the connection's socket hands data to the kernel while `during` runs. */
async function socketWritesDuring(client: Redis, during: () => Promise<unknown>): Promise<number> {
  const socket = client.stream as unknown as { _write: (...args: unknown[]) => void; _writev?: (...args: unknown[]) => void };
  const [write, writev] = [socket._write, socket._writev];
  let writes = 0;
  socket._write = (...args: unknown[]) => {
    writes += 1;
    write.apply(socket, args);
  };
  if (writev !== undefined) {
    socket._writev = (...args: unknown[]) => {
      writes += 1;
      writev.apply(socket, args);
    };
  }
  try {
    await during();
  } finally {
    socket._write = write;
    if (writev !== undefined) socket._writev = writev;
  }
  return writes;
}

describe('commands sent together', () => {
  it('when 500 commands are sent in one turn, then each gets its own reply in order, in far fewer socket writes', async () => {
    if (!(redis instanceof Redis)) throw new Error('a standalone connection was expected');
    await new Promise((resolve) => {
      if (redis.status === 'ready') resolve(undefined);
      else redis.once('ready', resolve);
    });
    const key = `test:writes-together:${randomUUID()}`;
    let replies: number[] = [];
    const writes = await socketWritesDuring(redis, async () => {
      replies = await Promise.all(Array.from({ length: 500 }, () => redis.incr(key)));
    });
    expect(replies).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(writes).toBeLessThan(10);
    await redis.del(key);
  });

  it('when commands are sent one after another, then each still goes out and is answered', async () => {
    const key = `test:writes-together:${randomUUID()}`;
    for (let i = 1; i <= 20; i += 1) expect(await redis.incr(key)).toBe(i);
    await redis.del(key);
  });
});
