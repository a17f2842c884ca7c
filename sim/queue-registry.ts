import { randomBytes } from 'node:crypto';
import type { Party } from './party.js';
import { deferred, type Deferred } from './virtual-clock.js';

/**
 * Twilio's call queues for one account, shared by <Enqueue>, <Dial><Queue>
 * and the REST stand-in's Queue resource. As documented:
 * - <Enqueue> creates a queue on demand (https://www.twilio.com/docs/voice/twiml/enqueue);
 * - <Dial><Queue> connects "the first enqueued call", so members are FIFO by
 *   the moment <Enqueue> ran (https://www.twilio.com/docs/voice/twiml/queue);
 * - queues persist until deleted, and only an empty queue can be deleted
 *   (https://www.twilio.com/docs/voice/api/queue-resource);
 * - a queue holds at most maxSize calls, 1000 unless changed through the REST
 *   API (the Enqueue page: "The default maximum length of the queue is 1000").
 */
/** How a conversation ended (sim/conversation.ts): who left first, and after how long. */
export type BridgeEnd = {
  /** Who left first: the dialer, the other party, both at once, or the other party's call redirected away. */
  left: 'dialer' | 'other' | 'both' | 'other-redirected';
  seconds: number;
};

export interface Dequeue {
  dequeuingCallSid: string;
  url: string | undefined;
  urlMethod: string;
  /** The dialer learns whether the bridge can start once the <Queue url> document has run (false: the caller left, or a fault). */
  connected: Deferred<boolean>;
  /** Resolves when the conversation is over, saying who left first (the dialer's side runs it). */
  ended: Deferred<BridgeEnd>;
}

export interface QueueMember {
  party: Party;
  callSid: string;
  enqueuedAt: number;
  enqueuedDate: Date;
  dequeued: Deferred<Dequeue>;
}

export interface SimQueue {
  sid: string;
  friendlyName: string;
  maxSize: number;
  createdAt: Date;
  members: QueueMember[];
  /** Seconds spent waiting by members who have left, for AvgQueueTime. */
  waits: number[];
  /** Dialers waiting for someone to join this (empty) queue. */
  joined: Deferred<void>;
}

export interface QueueRegistry {
  /** The queue of that name, created if it does not exist (as <Enqueue> does). */
  open(name: string): SimQueue;
  byName(name: string): SimQueue | undefined;
  bySid(sid: string): SimQueue | undefined;
  list(): SimQueue[];
  join(queue: SimQueue, member: QueueMember): void;
  /** Takes a member out (bridged, left, hung up) and remembers its wait. */
  remove(queue: SimQueue, member: QueueMember, waited: number): void;
  delete(sid: string): 'deleted' | 'not-empty' | 'unknown';
  averageWait(queue: SimQueue): number;
}

export function createQueueRegistry(): QueueRegistry {
  const queues = new Map<string, SimQueue>();
  const byName = (name: string) => [...queues.values()].find((queue) => queue.friendlyName === name);
  return {
    open(name) {
      const existing = byName(name);
      if (existing !== undefined) return existing;
      const queue: SimQueue = { sid: `QU${randomBytes(16).toString('hex')}`, friendlyName: name, maxSize: 1000, createdAt: new Date(), members: [], waits: [], joined: deferred() };
      queues.set(queue.sid, queue);
      return queue;
    },
    byName,
    bySid: (sid) => queues.get(sid),
    list: () => [...queues.values()],
    join(queue, member) {
      queue.members.push(member);
      const joined = queue.joined;
      queue.joined = deferred();
      joined.resolve();
    },
    remove(queue, member, waited) {
      const at = queue.members.indexOf(member);
      if (at < 0) return;
      queue.members.splice(at, 1);
      queue.waits.push(waited);
    },
    delete(sid) {
      const queue = queues.get(sid);
      if (queue === undefined) return 'unknown';
      if (queue.members.length > 0) return 'not-empty';
      queues.delete(sid);
      return 'deleted';
    },
    averageWait: (queue) => (queue.waits.length === 0 ? 0 : Math.round(queue.waits.reduce((a, b) => a + b, 0) / queue.waits.length)),
  };
}
