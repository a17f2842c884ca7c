import { describe, expect, it } from 'vitest';
import type { ConsoleFeed } from '../../src/console/console-feed.js';
import { createLiveStream, type StreamEvent } from '../../src/console/live-stream.js';
import { eventually } from '../helpers/eventually.js';

/** The stream's loop: one read of the feed per push whatever the viewers, none without viewers, the latest for a newcomer. */
function countingFeed() {
  const reads = { live: 0, calls: 0, attention: 0 };
  let version = 0;
  // A new object each read of `live` (rebuilt every second); the others stay the same object (not rebuilt).
  const calls = { at: 'calls' };
  const attention = { at: 'attention' };
  const feed = {
    live: () => {
      reads.live += 1;
      version += 1;
      return Promise.resolve({ at: `now-${String(version)}` });
    },
    recentCalls: () => {
      reads.calls += 1;
      return Promise.resolve(calls);
    },
    attention: () => {
      reads.attention += 1;
      return Promise.resolve(attention);
    },
  } as unknown as ConsoleFeed;
  return { feed, reads };
}

describe('the console live stream', () => {
  it('when ten viewers watch, then the feed is read once per push for all, and a snapshot not rebuilt is not sent again', async () => {
    const { feed, reads } = countingFeed();
    const stream = createLiveStream(feed, { everyMs: 10 });
    const received: StreamEvent[][] = Array.from({ length: 10 }, () => []);
    const stops = received.map((events) => stream.watch((event) => events.push(event)));
    await eventually(() => {
      expect(reads.live).toBeGreaterThanOrEqual(5);
    });
    stops.forEach((stop) => {
      stop();
    });
    const pushes = reads.live;
    for (const events of received) {
      expect(events.filter((e) => e.name === 'calls')).toHaveLength(1);
      expect(events.filter((e) => e.name === 'attention')).toHaveLength(1);
      // Each viewer got every push made while it watched (the first viewer's join started the loop).
      expect(events.filter((e) => e.name === 'now').length).toBeGreaterThanOrEqual(pushes - 1);
    }
    expect(reads.calls).toBe(pushes);
  });

  it('when the last viewer leaves, then the feed is no longer read; a viewer who comes later gets the latest at once', async () => {
    const { feed, reads } = countingFeed();
    const stream = createLiveStream(feed, { everyMs: 10 });
    const first: StreamEvent[] = [];
    const stop = stream.watch((event) => first.push(event));
    await eventually(() => {
      expect(reads.live).toBeGreaterThanOrEqual(2);
    });
    stop();
    const readsAtStop = reads.live;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // At most a push already in flight when they left.
    expect(reads.live).toBeLessThanOrEqual(readsAtStop + 1);
    expect(stream.viewerCount()).toBe(0);
    const later: StreamEvent[] = [];
    const stopLater = stream.watch((event) => later.push(event));
    stopLater();
    expect(later.map((e) => e.name).sort()).toEqual(['attention', 'calls', 'now']);
  });

  it('when the instance shuts down, then every stream is ended and the feed no longer read; a viewer who comes then is ended at once', async () => {
    const { feed, reads } = countingFeed();
    const stream = createLiveStream(feed, { everyMs: 10 });
    let ended = 0;
    const end = (): void => {
      ended += 1;
    };
    stream.watch(() => undefined, end);
    stream.watch(() => undefined, end);
    await eventually(() => {
      expect(reads.live).toBeGreaterThanOrEqual(1);
    });
    stream.close();
    expect(ended).toBe(2);
    expect(stream.viewerCount()).toBe(0);
    stream.watch(() => undefined, end);
    expect(ended).toBe(3);
    const readsAtClose = reads.live;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads.live).toBeLessThanOrEqual(readsAtClose + 1);
  });
});
