import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulatedTwilio, type SimOptions, type TranscriptLine } from '../../sim/simulated-twilio.js';

/**
 * A tiny stand-in for a Twilio application: serves fixed TwiML per path and
 * records every request (path, form fields, order), so the simulator can be
 * tested against Twilio's documents without callgate.
 */
export interface Recorded {
  path: string;
  params: Record<string, string>;
}

/** A TwiML body, or a raw answer; `hang` never answers (a read timeout). */
type Answer = string | { status?: number; contentType?: string; body?: string; hang?: boolean };
type Route = Answer | ((params: Record<string, string>, count: number) => Answer);

export interface TwimlServer {
  url: string;
  requests: Recorded[];
  to(path: string): Recorded[];
  close(): Promise<void>;
}

export const twiml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

export async function serveTwiml(routes: Record<string, Route>): Promise<TwimlServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const params = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? (req.url ?? '').split('?')[1] : body));
      requests.push({ path, params });
      const route = routes[path];
      const answer = typeof route === 'function' ? route(params, requests.filter((r) => r.path === path).length) : (route ?? { status: 404 });
      if (typeof answer !== 'string' && answer.hang === true) return;
      const { status = 200, contentType = 'text/xml', body: text = twiml('') } = typeof answer === 'string' ? { body: answer } : answer;
      res.writeHead(status, { 'Content-Type': contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    url,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const ACCOUNT = `AC${'a'.repeat(32)}`;

/** A simulator whose number's Voice URL is `{app}/voice` and status callback `{app}/status`. */
export function simFor(app: TwimlServer, extra: Partial<SimOptions> = {}) {
  const transcript: TranscriptLine[] = [];
  const sim = createSimulatedTwilio({
    serviceUrls: [app.url],
    publicBaseUrl: app.url,
    accountSid: ACCOUNT,
    authToken: 'token',
    supportNumber: '+442070000000',
    voiceUrl: `${app.url}/voice`,
    statusCallbackUrl: `${app.url}/status`,
    speed: 50,
    print: (line) => transcript.push(line),
    ...extra,
  });
  return { sim, transcript };
}
