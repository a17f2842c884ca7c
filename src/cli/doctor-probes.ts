import { randomBytes, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { Config } from '../config.js';
import { postSigned } from '../events/event-delivery.js';
import type { Answered, HttpAnswer } from './probe-findings.js';

// Both are called as Twilio or the delivery would call them: long enough for a slow link.
const PROBE_TIMEOUT_MS = 5000;
// Twilio refuses TwiML over 64 kB (error 11750); more is not read.
const MAX_TWIML_BYTES = 64 * 1024;

/** Why a fetch got no answer, in the words of its cause (ECONNREFUSED, a DNS failure, the timeout). */
function whyUnanswered(error: unknown): { unreachable: string } {
  if (error instanceof Error && error.name === 'TimeoutError') return { unreachable: `no answer within ${String(PROBE_TIMEOUT_MS / 1000)} s` };
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return { unreachable: cause };
}

/**
 * The voice fallback fetched as Twilio fetches it: its method, a failed call's ErrorCode and ErrorUrl,
 * signed, redirects followed. A TwiML Bin answers only signed requests that carry the AccountSid.
 */
export async function fetchFallback(url: string, method: string, config: Pick<Config, 'twilio' | 'publicBaseUrl'>): Promise<HttpAnswer> {
  const params = { AccountSid: config.twilio.accountSid, ErrorCode: '11200', ErrorUrl: `${config.publicBaseUrl}/twilio/voice` };
  const get = method.toUpperCase() === 'GET';
  if (!URL.canParse(url)) return { unreachable: 'not a URL' };
  const target = new URL(url);
  if (get) for (const [name, value] of Object.entries(params)) target.searchParams.append(name, value);
  const signature = twilio.getExpectedTwilioSignature(config.twilio.authToken, target.toString(), get ? {} : params);
  try {
    const res = await fetch(target, {
      method: get ? 'GET' : 'POST',
      headers: { 'X-Twilio-Signature': signature, 'User-Agent': 'callgate-doctor/1', ...(get ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }) },
      ...(get ? {} : { body: new URLSearchParams(params).toString() }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = (await res.text()).slice(0, MAX_TWIML_BYTES);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  } catch (error) {
    return whyUnanswered(error);
  }
}

/** A test event sent as the delivery sends one, signed with EVENTS_SECRET, then with a random secret. */
export async function pingEventsReceiver(target: { url: string; secret: string }): Promise<{ signed: Answered; forged: Answered }> {
  const body = JSON.stringify({ id: randomUUID(), type: 'callgate.ping', occurredAt: new Date().toISOString(), version: 1, data: {} });
  const send = (secret: string): Promise<Answered> =>
    postSigned(target.url, secret, body, PROBE_TIMEOUT_MS, 'callgate-doctor/1').catch(whyUnanswered);
  const signed = await send(target.secret);
  const forged = typeof signed === 'number' ? await send(randomBytes(32).toString('hex')) : signed;
  return { signed, forged };
}
