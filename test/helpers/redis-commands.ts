import type { Command } from 'ioredis';
import type { RedisClient } from '../../src/redis/connect-redis.js';

/** The commands `redis` sends that name hash tag `tag` while `during` runs, as their arguments. */
export async function commandsDuring(redis: RedisClient, tag: string, during: () => Promise<unknown>): Promise<string[][]> {
  const sent: string[][] = [];
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Command, ...rest: unknown[]) => {
    const args = command.args.map(String);
    if (args.some((arg) => arg.includes(tag))) sent.push([command.name, ...args]);
    return (original as (...all: unknown[]) => unknown)(command, ...rest);
  };
  try {
    await during();
  } finally {
    redis.sendCommand = original;
  }
  return sent;
}

