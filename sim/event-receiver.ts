import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { eventSchema, type CallgateEvent } from '../src/events/event-catalogue.js';
import { SIGNATURE_HEADER, verifySignature } from '../src/events/event-signature.js';

/**
 * A stand-in for the control panel's event endpoint. It verifies each request's
 * signature as a real receiver should (401 when wrong or outside the replay
 * window), records it, and answers as it is told: ok (200), fail (500),
 * redirect (302 elsewhere), hang (never answers; the sender must give up),
 * late (processes the event, answers 200 only after `lateMs`), or down (the
 * port refuses connections) and up again. It notes any request for an event
 * that arrives while an earlier request for the same event is still open.
 */
export type ReceiverMode = 'ok' | 'fail' | 'redirect' | 'hang' | 'late';

export interface ReceivedRequest {
  eventId: string;
  type: string;
  at: number;
  verified: boolean;
  mode: ReceiverMode;
}

export interface EventReceiver {
  url: string;
  port: number;
  mode(next: ReceiverMode, options?: { lateMs?: number }): void;
  /** Every request, in arrival order. */
  requests: ReceivedRequest[];
  /** Verified events the receiver accepted (answered, or in `late` processed), once per id, in order. */
  events(): CallgateEvent[];
  /** How many verified requests carried this event id. */
  attemptsOf(eventId: string): number;
  /** Event ids that arrived while an earlier request for the same id was still open. */
  overlaps: string[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startEventReceiver(options: { secret: string; port?: number }): Promise<EventReceiver> {
  let current: ReceiverMode = 'ok';
  let lateMs = 0;
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, CallgateEvent>();
  const open = new Map<string, number>();
  const overlaps: string[] = [];
  const sockets = new Set<Socket>();
  const held: ServerResponse[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const parsed = eventSchema.safeParse(safeJson(body));
    const verified = verifySignature(options.secret, body, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, Math.floor(Date.now() / 1000));
    const eventId = parsed.success ? parsed.data.id : '';
    requests.push({ eventId, type: parsed.success ? parsed.data.type : '', at: Date.now(), verified, mode: current });
    if (!verified || !parsed.success) {
      res.writeHead(verified ? 400 : 401).end();
      return;
    }
    if ((open.get(eventId) ?? 0) > 0) overlaps.push(eventId);
    open.set(eventId, (open.get(eventId) ?? 0) + 1);
    res.once('close', () => open.set(eventId, (open.get(eventId) ?? 1) - 1));
    const accept = (): void => {
      if (!accepted.has(eventId)) accepted.set(eventId, parsed.data);
    };
    if (current === 'ok') {
      accept();
      res.writeHead(200).end();
    }
    if (current === 'fail') res.writeHead(500).end();
    if (current === 'redirect') res.writeHead(302, { Location: 'http://127.0.0.1:9/elsewhere' }).end();
    if (current === 'hang') held.push(res);
    if (current === 'late') {
      accept();
      setTimeout(() => res.writeHead(200).end(), lateMs);
    }
  }

  let server: Server = listen();
  function listen(): Server {
    const created = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        handle(req, res, body);
      });
    });
    created.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return created;
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  async function down(): Promise<void> {
    for (const socket of sockets) socket.destroy();
    held.length = 0;
    await new Promise((resolve) => server.close(resolve));
  }

  return {
    url: `http://127.0.0.1:${String(port)}/events`,
    port,
    mode: (next, extra = {}) => {
      current = next;
      lateMs = extra.lateMs ?? 0;
    },
    requests,
    events: () => [...accepted.values()],
    attemptsOf: (eventId) => requests.filter((r) => r.verified && r.eventId === eventId).length,
    overlaps,
    down,
    up: async () => {
      server = listen();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: down,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
