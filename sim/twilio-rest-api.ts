import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the part of Twilio's REST API that callgate uses: creating a
 * call (`POST /2010-04-01/Accounts/{AccountSid}/Calls.json`). It answers as
 * Twilio does (201 with the call's JSON, or Twilio's error JSON), records every
 * request, and can be told to fail or hang so paging failures can be tested.
 */
export interface PlacedCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  url: string;
  method: string;
  statusCallback: string;
  timeout: number;
  /** The Basic auth the client sent: `AccountSid:AuthToken`. */
  auth: string;
}

export type Behaviour = 'ok' | 'fail' | 'hang';

export interface TwilioRestApi {
  url: string;
  calls: PlacedCall[];
  /** The next requests behave like this, in order; after that every request succeeds. */
  behave(...next: Behaviour[]): void;
  onCall(listener: (call: PlacedCall) => void): void;
  close(): Promise<void>;
}

const CALLS_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\.json$/;

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return new URLSearchParams(body);
}

export async function startTwilioRestApi(): Promise<TwilioRestApi> {
  const calls: PlacedCall[] = [];
  const plan: Behaviour[] = [];
  const listeners: ((call: PlacedCall) => void)[] = [];
  const hanging: (() => void)[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const match = CALLS_PATH.exec(req.url ?? '');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || match === null) {
        json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        return;
      }
      const form = await formOf(req);
      const behaviour = plan.shift() ?? 'ok';
      if (behaviour === 'hang') {
        hanging.push(() => res.destroy());
        return;
      }
      if (behaviour === 'fail') {
        json(500, { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
        return;
      }
      const call: PlacedCall = {
        sid: `CA${randomBytes(16).toString('hex')}`,
        accountSid: match[1] ?? '',
        to: form.get('To') ?? '',
        from: form.get('From') ?? '',
        url: form.get('Url') ?? '',
        method: form.get('Method') ?? 'POST',
        statusCallback: form.get('StatusCallback') ?? '',
        timeout: Number(form.get('Timeout') ?? 60),
        auth: Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString(),
      };
      calls.push(call);
      json(201, {
        sid: call.sid,
        account_sid: call.accountSid,
        to: call.to,
        from: call.from,
        status: 'queued',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
      });
      for (const listener of listeners) listener(call);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    calls,
    behave: (...next) => plan.push(...next),
    onCall: (listener) => listeners.push(listener),
    close: async () => {
      hanging.forEach((end) => {
        end();
      });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
