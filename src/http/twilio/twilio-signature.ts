import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import twilio from 'twilio';

/**
 * Whether a webhook was signed by Twilio with our auth token. The URL checked is
 * PUBLIC_BASE_URL + the path and query, never the Host header or the protocol
 * the request arrived with (a proxy in front may speak plain http to us).
 *
 * The URL exactly as configured is checked first, with one HMAC; only a request that
 * fails it goes through the twilio package's full check, which also tries the URL with
 * and without the port and in its escaped forms (two to six HMACs and URL parses).
 */
export function twilioSignatureCheck(authToken: string, publicBaseUrl: string) {
  return (req: IncomingMessage, params: ParsedUrlQuery): boolean => {
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string') return false;
    const url = `${publicBaseUrl}${req.url ?? ''}`;
    const form = params as Record<string, string>;
    const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, form));
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    return twilio.validateRequest(authToken, signature, url, form);
  };
}
