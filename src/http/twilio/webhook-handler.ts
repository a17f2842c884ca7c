import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse, type ParsedUrlQuery } from 'node:querystring';
import twilio from 'twilio';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { RequestLog } from '../request-logging.js';
import { readForm } from './twilio-form.js';
import { ANSWER_WITHIN_MS, countRedisFailure, EMPTY_TWIML, sendTwiml, within } from './webhook-answers.js';

/** What a webhook reads of Twilio's request, once the signature has been checked. */
export interface WebhookRequest {
  body: ParsedUrlQuery;
  /** The query string of the URL callgate gave Twilio (signed with it). */
  query: ParsedUrlQuery;
  log: Logger;
}

/** One Twilio webhook: answers TwiML, given ANSWER_WITHIN_MS to do so. */
export interface Webhook {
  (req: WebhookRequest): Promise<string> | string;
  onFailure?: (req: WebhookRequest) => string;
}

/** A webhook whose answer must not depend on the books: when `answer` fails or runs out of time, `onFailure` is said. */
export const withFallback = (answer: Webhook, onFailure: (req: WebhookRequest) => string): Webhook => Object.assign(answer, { onFailure });

export const WEBHOOK_PREFIX = '/twilio';

export function isWebhookUrl(url: string): boolean {
  return url.startsWith(WEBHOOK_PREFIX) && (url.length === WEBHOOK_PREFIX.length || url[WEBHOOK_PREFIX.length] === '/' || url[WEBHOOK_PREFIX.length] === '?');
}

/**
 * Whether a webhook was signed by Twilio with our auth token, for PUBLIC_BASE_URL + the path and
 * query, never the Host header or protocol it arrived with (a proxy may speak plain http to us).
 * One HMAC of the URL as configured first; only a failure takes the twilio package's full check
 * (the URL with and without the port, escaped: up to six HMACs).
 */
function signedByTwilio(
  req: IncomingMessage,
  params: ParsedUrlQuery,
  authToken: string,
  publicBaseUrl: string,
): boolean {
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string') return false;
  const url = `${publicBaseUrl}${req.url ?? ''}`;
  const form = params as Record<string, string>;
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, form));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(authToken, signature, url, form);
}

/**
 * Every Twilio webhook, on node's own request and response: express was a third of the PIN
 * webhook's CPU (docs/architecture.md). Whatever goes wrong, the caller hears the apology: always
 * 200 with TwiML, never a 5xx, which Twilio reads out as "an application error has occurred".
 */
export function webhookHandler(deps: {
  webhooks: ReadonlyMap<string, Webhook>;
  /** Served to anyone, unsigned: it says nothing that depends on the caller. */
  fallback: string;
  apology: string;
  authToken: string;
  publicBaseUrl: string;
  metrics: Metrics;
  log: Logger;
}): RequestListener {
  const { webhooks, apology, metrics } = deps;

  async function answer(req: IncomingMessage, res: ServerResponse, call: WebhookRequest, requestLog: RequestLog, webhook: Webhook | undefined): Promise<void> {
    const params = await readForm(req);
    if (!signedByTwilio(req, params, deps.authToken, deps.publicBaseUrl)) {
      call.log.warn({ url: `${deps.publicBaseUrl}${req.url ?? ''}` }, 'rejected a webhook with a missing or wrong Twilio signature');
      sendTwiml(res, EMPTY_TWIML, 403);
      return;
    }
    call.body = params;
    // Before anything is logged: the request's logger is made on its first use.
    if (typeof params.CallSid === 'string') requestLog.bindings.callSid = params.CallSid;
    if (webhook === undefined) {
      call.log.warn({ path: req.url }, 'webhook for an unknown path: check the number configuration in Twilio');
      sendTwiml(res, apology);
      return;
    }
    sendTwiml(res, await answered(webhook, call));
  }

  /** Within the deadline, whatever Redis does (the work left behind runs on, unheard). */
  async function answered(webhook: Webhook, call: WebhookRequest): Promise<string> {
    try {
      return await within(ANSWER_WITHIN_MS, Promise.resolve(call).then(webhook));
    } catch (error) {
      if (webhook.onFailure === undefined) throw error;
      countRedisFailure(metrics, error);
      call.log.error({ err: error }, 'webhook failed: answered with its own fallback');
      return webhook.onFailure(call);
    }
  }

  return (req, res) => {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = (queryAt === -1 ? url : url.slice(0, queryAt)).slice(WEBHOOK_PREFIX.length);
    const requestLog = new RequestLog(deps.log, req, res);
    if (path === '/fallback') {
      sendTwiml(res, deps.fallback);
      return;
    }
    const webhook = req.method === 'POST' ? webhooks.get(path) : undefined;
    const call: WebhookRequest = {
      body: {},
      query: queryAt === -1 ? {} : parse(url.slice(queryAt + 1)),
      get log() {
        return requestLog.logger;
      },
    };
    const started = performance.now();
    answer(req, res, call, requestLog, webhook)
      .catch((error: unknown) => {
        countRedisFailure(metrics, error);
        call.log.error({ err: error }, 'webhook failed: answered with the apology');
        if (!res.headersSent) sendTwiml(res, apology);
      })
      .finally(() => {
        // Unknown paths share one label, so the label set stays small.
        metrics.webhookDuration.observe({ route: webhook === undefined ? 'other' : path }, (performance.now() - started) / 1000);
      });
  };
}
