import type { ConsoleFeed } from './console-feed.js';

// One push a second: the live view is rebuilt at most that often.
const PUSH_EVERY_MS = 1000;

export type StreamEvent = { name: 'now' | 'calls' | 'attention'; data: string };
export type Viewer = (event: StreamEvent) => void;

// One loop per instance, while someone watches, sends the same text to every viewer, and a snapshot
// only when it was rebuilt; a new viewer gets the latest at once.
export function createLiveStream(feed: ConsoleFeed, options: { everyMs?: number; onError?: (error: unknown) => void } = {}) {
  const everyMs = options.everyMs ?? PUSH_EVERY_MS;
  // Each viewer, and how to end their stream.
  const viewers = new Map<Viewer, () => void>();
  let closed = false;
  // The last value of each sent (by identity: a snapshot not rebuilt is the same object) and its text.
  const latest = new Map<StreamEvent['name'], { value: unknown; event: StreamEvent }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  // Each read on its own: a failed one (Redis away) must not hold back the others.
  async function publish(name: StreamEvent['name'], read: Promise<unknown>): Promise<void> {
    try {
      const value = await read;
      if (latest.get(name)?.value === value) return;
      const event: StreamEvent = { name, data: JSON.stringify(value) };
      latest.set(name, { value, event });
      for (const viewer of viewers.keys()) viewer(event);
    } catch (error) {
      options.onError?.(error);
    }
  }

  async function tick(): Promise<void> {
    await Promise.all([
      publish('now', feed.live()),
      publish('calls', feed.recentCalls()),
      publish('attention', feed.attention()),
    ]);
  }

  // A tick may still be in flight when the last viewer leaves: only the current loop goes on.
  let loop: symbol | undefined;
  function start(): void {
    const mine = (loop = Symbol('loop'));
    const step = (): void => {
      void tick().finally(() => {
        if (mine === loop) timer = setTimeout(step, everyMs);
      });
    };
    step();
  }
  function stop(): void {
    loop = undefined;
    clearTimeout(timer);
  }

  return {
    /** Adds a viewer, sent the latest of each event now; `end` ends their stream at shutdown. Returns their removal. */
    watch(viewer: Viewer, end: () => void = () => undefined): () => void {
      if (closed) {
        end();
        return () => undefined;
      }
      viewers.set(viewer, end);
      for (const { event } of latest.values()) viewer(event);
      if (loop === undefined) start();
      return () => {
        viewers.delete(viewer);
        if (viewers.size === 0) stop();
      };
    },
    viewerCount: (): number => viewers.size,
    /** Ends every stream and takes no more: an open one would hold the server at shutdown (the page reconnects). */
    close(): void {
      closed = true;
      stop();
      const ends = [...viewers.values()];
      viewers.clear();
      for (const end of ends) end();
    },
  };
}

export type LiveStream = ReturnType<typeof createLiveStream>;
