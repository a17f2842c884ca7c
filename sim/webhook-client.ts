import twilio from 'twilio';
import { parseTwiml, TwimlError, type TwimlContext, type Verb } from './twiml-document.js';

/**
 * Twilio's side of a webhook: signs it, sends it, and decides what counts as
 * a failure, with the connection-override defaults
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides):
 * connect timeout 5000 ms, read timeout (rt) 15000 ms, retry count (rc) 1 and
 * retry policy (rp) `ct`: only a failed connection is retried, once; a 5xx or
 * a read timeout is not, unless the URL's `#rc=…&rp=…` fragment says so.
 * What cannot be retried becomes a FatalWebhookError with Twilio's code.
 */
export class FatalWebhookError extends Error {
  constructor(
    readonly code: number,
    readonly url: string,
    message: string,
  ) {
    super(`Twilio error ${String(code)} at ${url}: ${message}`);
    this.name = 'FatalWebhookError';
  }
}

type FailureKind = 'ct' | 'rt' | '4xx' | '5xx';

interface Overrides {
  retries: number;
  policy: string[];
  readTimeoutMs: number;
}

function overridesOf(url: string, readTimeoutMs: number): Overrides {
  const fragment = new URLSearchParams(url.includes('#') ? url.slice(url.indexOf('#') + 1) : '');
  return {
    retries: Number(fragment.get('rc') ?? 1),
    policy: (fragment.get('rp') ?? 'ct').split(','),
    readTimeoutMs: Number(fragment.get('rt') ?? readTimeoutMs),
  };
}

export interface WebhookClientOptions {
  serviceUrls: string[];
  publicBaseUrl: string;
  authToken: string;
  readTimeoutMs: number;
}

export interface WebhookClient {
  /** Sends a webhook and returns the answer's body and Content-Type; throws FatalWebhookError. */
  send(url: string, method: string, params: Record<string, string>, okStatuses: 'ok-only' | 'any-2xx'): Promise<{ body: string; contentType: string | undefined }>;
  /** Fetches and parses a TwiML document; throws FatalWebhookError (the TwiML's faults included). */
  twiml(url: string, method: string, params: Record<string, string>, context: TwimlContext): Promise<Verb[]>;
}

export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  let turn = 0;
  const target = (url: string): string => {
    if (!url.startsWith(options.publicBaseUrl)) return url;
    const service = options.serviceUrls[turn++ % options.serviceUrls.length] ?? '';
    return `${service}${url.slice(options.publicBaseUrl.length)}`;
  };

  async function attempt(url: string, method: string, params: Record<string, string>, timeoutMs: number): Promise<Response | FailureKind> {
    const query = new URLSearchParams(params).toString();
    const signedUrl = method === 'GET' ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
    const signature = twilio.getExpectedTwilioSignature(options.authToken, signedUrl, method === 'GET' ? {} : params);
    try {
      return await fetch(target(signedUrl), {
        method,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
        ...(method === 'GET' ? {} : { body: query }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return error instanceof DOMException && error.name === 'TimeoutError' ? 'rt' : 'ct';
    }
  }

  async function send(url: string, method: string, params: Record<string, string>, okStatuses: 'ok-only' | 'any-2xx') {
    const bare = url.split('#')[0] ?? url;
    const overrides = overridesOf(url, options.readTimeoutMs);
    for (let tries = 0; ; tries += 1) {
      const res = await attempt(bare, method, params, overrides.readTimeoutMs);
      const ok = typeof res !== 'string' && (okStatuses === 'ok-only' ? res.status === 200 : res.status >= 200 && res.status < 300);
      if (ok) return { body: await res.text(), contentType: res.headers.get('content-type') ?? undefined };
      const kind: FailureKind = typeof res === 'string' ? res : res.status >= 500 ? '5xx' : '4xx';
      if (typeof res !== 'string') await res.body?.cancel();
      const retryable = overrides.policy.includes(kind) || overrides.policy.includes('all');
      if (tries < overrides.retries && retryable) continue;
      if (typeof res === 'string') throw new FatalWebhookError(11205, bare, res === 'ct' ? 'HTTP connection failure' : 'HTTP read timeout');
      throw new FatalWebhookError(11200, bare, `HTTP retrieval failure: status ${String(res.status)}`);
    }
  }

  return {
    send,
    async twiml(url, method, params, context) {
      const { body, contentType } = await send(url, method, params, 'ok-only');
      try {
        return parseTwiml(body, contentType, context);
      } catch (error) {
        if (error instanceof TwimlError) throw new FatalWebhookError(error.code, url.split('#')[0] ?? url, error.message);
        throw error;
      }
    },
  };
}
