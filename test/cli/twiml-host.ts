import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * A stand-in for where the voice fallback is hosted (a TwiML Bin): it answers only requests
 * signed with the account's auth token that carry its AccountSid, as a TwiML Bin does
 * (https://www.twilio.com/docs/serverless/twiml-bins/testing/programmatic), and answers as told:
 * the fallback document, a static host refusing POST, or an error page.
 */
export type TwimlHostMode = 'fallback' | 'refuses-post' | 'error-page';

export interface TwimlHost {
  url: string;
  mode(next: TwimlHostMode): void;
  /** Each request: method, path and whether it was signed as Twilio signs. */
  requests: { method: string; path: string; signed: boolean }[];
  close(): Promise<void>;
}

const FALLBACK = readFileSync(new URL('../../twiml/fallback.xml', import.meta.url), 'utf8');

export async function startTwimlHost(account: { accountSid: string; authToken: string }): Promise<TwimlHost> {
  let current: TwimlHostMode = 'fallback';
  const requests: TwimlHost['requests'] = [];
  let origin = '';

  const signed = (req: IncomingMessage, body: string): boolean => {
    const url = `${origin}${req.url ?? ''}`;
    const params = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {};
    const accountSid = req.method === 'POST' ? params.AccountSid : new URL(url).searchParams.get('AccountSid');
    const signature = req.headers['x-twilio-signature'];
    return accountSid === account.accountSid && typeof signature === 'string' && twilio.validateRequest(account.authToken, signature, url, params);
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const ok = signed(req, body);
      requests.push({ method: req.method ?? '', path: new URL(req.url ?? '/', origin).pathname, signed: ok });
      if (!ok) res.writeHead(401).end();
      else if (current === 'refuses-post' && req.method === 'POST') res.writeHead(405, { Allow: 'GET' }).end();
      else if (current === 'error-page') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body><h1>Site suspended</h1></body></html>');
      else res.writeHead(200, { 'Content-Type': 'text/xml' }).end(FALLBACK);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    url: origin,
    mode: (next) => (current = next),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
