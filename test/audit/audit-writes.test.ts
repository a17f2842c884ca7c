import { randomUUID } from 'node:crypto';
import type { Command } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createAuditLog, type AuditInput } from '../../src/audit/audit-log.js';
import { UnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { connectRedis, type RedisClient } from '../../src/redis/connect-redis.js';
import { keys } from '../../src/redis/keys.js';
import { eventually } from '../helpers/eventually.js';
import { logLines, logSink } from '../helpers/leak-watch.js';
import { testClock } from '../helpers/test-clock.js';

const log = createLogger({ level: 'info', destination: logSink });
const clients: RedisClient[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

/** An audit log on its own key prefix, and the names of the Redis commands it sends. */
async function auditWithCommandCount() {
  const redis = connectRedis({ kind: 'standalone', url: inject('redisUrl') }, log, { keyPrefix: `t${randomUUID().slice(0, 8)}:` });
  clients.push(redis);
  await new Promise((resolve) => redis.once('ready', resolve));
  const sent: string[] = [];
  // Every command passes through sendCommand (a Cluster's too): counted there.
  const client = redis as unknown as { sendCommand: (command: Command, ...rest: unknown[]) => unknown };
  const send = client.sendCommand.bind(redis);
  client.sendCommand = (command, ...rest) => {
    sent.push(command.name);
    return send(command, ...rest);
  };
  const audit = createAuditLog({ redis, clock: testClock(), log });
  // The script is loaded by its first use; what follows counts only the writes.
  await audit.record({ type: 'call_received', callSid: 'CAwarm' });
  sent.length = 0;
  const streamed = async (key: string) => (await redis.xrange(key, '-', '+')).map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { callSid: string });
  return { redis, audit, sent, streamed };
}

const event = (i: number, accountId?: string): AuditInput => ({ type: 'pin_failed', callSid: `CA${String(i)}`, reason: 'not_recognised', ...(accountId === undefined ? {} : { accountId }) });

describe('audit writes', () => {
  it('when 50 calls record events in the same turn, then each stream gets them in order in one command', async () => {
    const { audit, sent, streamed } = await auditWithCommandCount();
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.record(event(i, 'acme'))));

    expect(sent).toEqual(['evalsha', 'evalsha']);
    const expected = Array.from({ length: 50 }, (_, i) => `CA${String(i)}`);
    expect((await streamed(keys.auditEvents)).map((e) => e.callSid).slice(1)).toEqual(expected);
    expect((await streamed(keys.accountCalls('acme'))).map((e) => e.callSid)).toEqual(expected);
  });

  it('when events of answered steps are recorded one webhook at a time, then they share commands and all arrive within moments', async () => {
    const { audit, sent, streamed } = await auditWithCommandCount();
    for (let i = 0; i < 20; i += 1) {
      audit.recordSoon(event(i));
      await new Promise((resolve) => setImmediate(resolve));
    }

    const arrived = await eventually(async () => {
      const callSids = (await streamed(keys.auditEvents)).map((e) => e.callSid).slice(1);
      expect(callSids).toHaveLength(20);
      return callSids;
    });
    expect(arrived).toEqual(Array.from({ length: 20 }, (_, i) => `CA${String(i)}`));
    // 20 separate turns, far fewer writes (one per 10 ms window).
    expect(sent.length).toBeLessThan(10);
  });

  it("when an account's stream holds a broken entry, then its history reads the others, in order", async () => {
    const { redis, audit } = await auditWithCommandCount();
    await audit.record(event(1, 'acme'));
    await redis.xadd(keys.accountCalls('acme'), '*', 'event', '{not json');
    await redis.xadd(keys.accountCalls('acme'), '*', 'event', '{"type":"unknown"}');
    await audit.record(event(2, 'acme'));
    expect((await audit.accountEvents('acme', 10)).map((e) => e.callSid)).toEqual(['CA1', 'CA2']);
  });

  it('when Redis is unreachable, then an awaited record fails as unavailable and one recorded soon is logged as lost', async () => {
    const { redis, audit } = await auditWithCommandCount();
    redis.disconnect();
    await expect(audit.record(event(1))).rejects.toBeInstanceOf(UnavailableError);

    const mark = logLines.length;
    audit.recordSoon(event(2));
    await eventually(() => {
      expect(logLines.slice(mark).some((line) => line.includes('could not write audit events') && line.includes('CA2'))).toBe(true);
    });
  });
});
