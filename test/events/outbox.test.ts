import { afterAll, describe, expect, it } from 'vitest';
import { eventKeys } from '../../src/events/event-keys.js';
import { createEventOutbox } from '../../src/events/event-outbox.js';
import { createOutboxQueue } from '../../src/events/outbox-queue.js';
import { testClock } from '../helpers/test-clock.js';
import { missedCall, redisFor } from './event-helpers.js';

const { redis } = await redisFor();
afterAll(() => {
  redis.disconnect();
});

describe('the events outbox', () => {
  it('when one decision is emitted twice (a retried webhook), then the outbox holds its event once', async () => {
    const outbox = createEventOutbox(redis, testClock());
    const queue = createOutboxQueue(redis);
    const before = (await queue.backlog()).size;
    const event = missedCall(outbox);
    const again = missedCall(outbox, event.data.callSid);
    expect(again.id).toBe(event.id);
    expect(await outbox.emit(event)).toBe('appended');
    expect(await outbox.emit(again)).toBe('duplicate');
    expect((await queue.backlog()).size).toBe(before + 1);
  });

  it('when the capped outbox is full (no EVENTS_URL for long), then the oldest event is dropped and counted', async () => {
    const { redis: own } = await redisFor();
    const outbox = createEventOutbox(own, testClock(), { maxEvents: 3 });
    const queue = createOutboxQueue(own);
    const events = Array.from({ length: 5 }, () => missedCall(outbox));
    for (const event of events) await outbox.emit(event);
    expect(await queue.backlog()).toMatchObject({ size: 3, dropped: 2 });
    const claimed = await queue.claimDue(1000, 10);
    expect(claimed.map((c) => (JSON.parse(c.body) as { id: string }).id)).toEqual(events.slice(2).map((e) => e.id));
    expect(await own.zcard(eventKeys.due)).toBe(3);
    own.disconnect();
  });

  it('when an event\'s data does not fit its type, then building it throws and nothing is written', () => {
    const outbox = createEventOutbox(redis, testClock());
    expect(() =>
      outbox.event('voicemail.recorded', {
        callSid: 'CA00000000000000000000000000000000',
        accountId: 'a',
        userId: 'u',
        recordingUrl: 'not a url',
        durationSeconds: 3,
        waitSeconds: 1,
      }),
    ).toThrow();
  });

  it('when an event is built, then it carries a UUID id, its type, an ISO time and its version', () => {
    const clock = testClock('2027-03-02T10:00:00Z');
    const event = createEventOutbox(redis, clock).event('pin.locked_out', {
      callerNumber: '+447900000002',
      failures: 10,
      lockedUntil: '2027-03-02T11:00:00.000Z',
    });
    expect(event).toMatchObject({ type: 'pin.locked_out', occurredAt: '2027-03-02T10:00:00.000Z', version: 1 });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
