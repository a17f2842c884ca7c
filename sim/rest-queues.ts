import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueueRegistry, SimQueue } from './queue-registry.js';
import { formOf, sendError, sendJson } from './rest-json.js';

/**
 * The Queue and Member resources (https://www.twilio.com/docs/voice/api/queue-resource,
 * https://www.twilio.com/docs/voice/api/member-resource): list, fetch and
 * delete queues; list a queue's members; create a queue or change its
 * MaxSize with POST (the limit behind <Enqueue>'s QueueResult=queue-full,
 * https://www.twilio.com/docs/voice/twiml/enqueue). Only an empty queue can be deleted:
 * a queue with members is refused with a 400 (the error code is our choice,
 * the docs do not give one).
 */
const uriOf = (accountSid: string, queue: SimQueue) => `/2010-04-01/Accounts/${accountSid}/Queues/${queue.sid}.json`;

function queueJson(accountSid: string, queues: QueueRegistry, queue: SimQueue) {
  return {
    sid: queue.sid,
    account_sid: accountSid,
    friendly_name: queue.friendlyName,
    current_size: queue.members.length,
    max_size: queue.maxSize,
    average_wait_time: queues.averageWait(queue),
    date_created: queue.createdAt.toUTCString(),
    date_updated: queue.createdAt.toUTCString(),
    uri: uriOf(accountSid, queue),
  };
}

const QUEUE_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Queues(?:\/(QU[0-9a-fA-F]{32}))?(\/Members)?\.json$/;

/** Answers a Queues request; false when the path is not a Queue resource. */
export function handleQueues(method: string, path: string, res: ServerResponse, queues: QueueRegistry): boolean {
  const match = QUEUE_PATH.exec(path);
  if (match === null) return false;
  const [, accountSid = '', sid, members] = match;
  if (sid === undefined) {
    if (method !== 'GET' || members !== undefined) return false;
    const list = queues.list().map((queue) => queueJson(accountSid, queues, queue));
    sendJson(res, 200, { queues: list, page: 0, page_size: 50, start: 0, end: Math.max(0, list.length - 1), uri: `/2010-04-01/Accounts/${accountSid}/Queues.json`, next_page_uri: null, previous_page_uri: null });
    return true;
  }
  const queue = queues.bySid(sid);
  if (queue === undefined) {
    sendError(res, 404, 20404, `The requested resource ${path} was not found`);
    return true;
  }
  if (method === 'GET' && members !== undefined) {
    const list = queue.members.map((member, i) => ({
      call_sid: member.callSid,
      queue_sid: queue.sid,
      position: i + 1,
      wait_time: Math.floor(member.party.clock.now() - member.enqueuedAt),
      date_enqueued: member.enqueuedDate.toUTCString(),
      uri: `/2010-04-01/Accounts/${accountSid}/Queues/${queue.sid}/Members/${member.callSid}.json`,
    }));
    sendJson(res, 200, { queue_members: list, page: 0, page_size: 50 });
    return true;
  }
  if (members !== undefined) return false;
  if (method === 'GET') {
    sendJson(res, 200, queueJson(accountSid, queues, queue));
    return true;
  }
  if (method !== 'DELETE') return false;
  if (queues.delete(sid) === 'not-empty') sendError(res, 400, 20001, 'Queue is not empty: only an empty queue can be deleted');
  else sendJson(res, 204, null);
  return true;
}

/** POST Queues.json (FriendlyName, MaxSize) or Queues/{QU}.json (MaxSize); false when the path is neither. */
export async function postQueue(req: IncomingMessage, path: string, res: ServerResponse, queues: QueueRegistry): Promise<boolean> {
  const match = QUEUE_PATH.exec(path);
  if (match === null || match[3] !== undefined) return false;
  const [, accountSid = '', sid] = match;
  const form = await formOf(req);
  const name = form.get('FriendlyName');
  const queue = sid === undefined ? (name === null ? undefined : queues.open(name)) : queues.bySid(sid);
  if (queue === undefined) {
    sendError(res, sid === undefined ? 400 : 404, sid === undefined ? 20001 : 20404, sid === undefined ? 'FriendlyName is required' : `The requested resource ${path} was not found`);
    return true;
  }
  const maxSize = Number(form.get('MaxSize') ?? queue.maxSize);
  if (!Number.isInteger(maxSize) || maxSize < 1) {
    sendError(res, 400, 20001, 'MaxSize must be a positive integer');
    return true;
  }
  queue.maxSize = maxSize;
  sendJson(res, sid === undefined ? 201 : 200, queueJson(accountSid, queues, queue));
  return true;
}
