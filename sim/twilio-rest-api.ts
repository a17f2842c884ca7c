import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { updateCall, type LiveCalls } from './rest-call-update.js';
import { createCall, type PlacedCall } from './rest-calls.js';
import { sendError } from './rest-json.js';
import { handleQueues, postQueue } from './rest-queues.js';
import { handleRecordingMedia } from './rest-recordings.js';
import { createPhoneNumberRegistry, handlePhoneNumbers, type PhoneNumberRegistry } from './rest-phone-numbers.js';
import { createQueueRegistry, type QueueRegistry } from './queue-registry.js';
import { closeServer } from './close-server.js';

export type { PlacedCall } from './rest-calls.js';
export type { LiveCalls } from './rest-call-update.js';

/**
 * A stand-in for the part of Twilio's REST API that callgate uses: Calls.json
 * (placing pages), a Call's update (see rest-call-update.ts), the Queue resource and the
 * IncomingPhoneNumber resource (rest-phone-numbers.ts, for `npm run twilio:setup`). It checks Basic auth when given the
 * account's credentials (401, code 20003, as Twilio), records every placed
 * call, owns the account's queues (shared with the simulator, as one Twilio
 * account would), and can be told to fail or hang so failures can be tested.
 */
/** ok; fail (500); hang (never answers, places nothing); slow (places the call, answers only after 6 s: past callgate's REST timeout). */
export type Behaviour = 'ok' | 'fail' | 'hang' | 'slow';
const SLOW_ANSWER_MS = 6_000;

export interface TwilioRestApi {
  url: string;
  calls: PlacedCall[];
  /** The account's call queues: what <Enqueue> creates and the Queue resource lists and deletes. */
  queues: QueueRegistry;
  /** The account's calls in progress, by CallSid (the simulator keeps it), for a Call's update. */
  liveCalls: LiveCalls;
  /** The account's phone numbers and their voice webhooks (IncomingPhoneNumbers). */
  phoneNumbers: PhoneNumberRegistry;
  /** The next requests (of any kind) behave like this, in order; after that every request succeeds. */
  behave(...next: Behaviour[]): void;
  onCall(listener: (call: PlacedCall) => void): void;
  close(): Promise<void>;
}

const CALLS_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\.json$/;
const CALL_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\/(CA[0-9a-fA-F]{32})\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\//;

export async function startTwilioRestApi(credentials?: { accountSid: string; authToken: string }): Promise<TwilioRestApi> {
  const calls: PlacedCall[] = [];
  const plan: Behaviour[] = [];
  const listeners: ((call: PlacedCall) => void)[] = [];
  const hanging: (() => void)[] = [];
  const queues = createQueueRegistry();
  const liveCalls: LiveCalls = new Map();
  const phoneNumbers = createPhoneNumberRegistry();

  const server: Server = createServer((req, res) => {
    void (async () => {
      // Query strings (PageSize, Page) select a page; the resource is the path.
      const path = (req.url ?? '').split('?')[0] ?? '';
      const method = req.method ?? 'GET';
      const behaviour = plan.shift() ?? 'ok';
      if (behaviour === 'hang') {
        hanging.push(() => res.destroy());
        return;
      }
      if (behaviour === 'fail') {
        sendError(res, 500, 20500, 'Internal Server Error');
        return;
      }
      const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      const account = ACCOUNT_PATH.exec(path)?.[1];
      if (credentials !== undefined && (auth !== `${credentials.accountSid}:${credentials.authToken}` || account !== credentials.accountSid)) {
        sendError(res, 401, 20003, 'Authenticate');
        return;
      }
      const callsMatch = CALLS_PATH.exec(path);
      if (method === 'POST' && callsMatch !== null) {
        const call = await createCall(req, res, callsMatch[1] ?? '', auth, behaviour === 'slow' ? SLOW_ANSWER_MS : 0);
        if (call === undefined) return;
        calls.push(call);
        for (const listener of listeners) listener(call);
        return;
      }
      const callMatch = CALL_PATH.exec(path);
      if (method === 'POST' && callMatch !== null) {
        await updateCall(req, res, callMatch[1] ?? '', callMatch[2] ?? '', liveCalls);
        return;
      }
      if (method === 'POST' && (await postQueue(req, path, res, queues))) return;
      if (handleQueues(method, path, res, queues)) return;
      if (handleRecordingMedia(method, path, res)) return;
      if (await handlePhoneNumbers(req, new URL(req.url ?? '/', 'http://stand-in'), res, phoneNumbers)) return;
      sendError(res, 404, 20404, 'The requested resource was not found');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    calls,
    queues,
    liveCalls,
    phoneNumbers,
    behave: (...next) => plan.push(...next),
    onCall: (listener) => listeners.push(listener),
    close: async () => {
      hanging.forEach((end) => {
        end();
      });
      await closeServer(server);
    },
  };
}
