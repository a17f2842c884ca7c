import type { IncomingMessage } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import twilio from 'twilio';

/**
 * Whether a webhook was signed by Twilio with our auth token. The URL checked is
 * PUBLIC_BASE_URL + the path and query, never the Host header or the protocol
 * the request arrived with (a proxy in front may speak plain http to us).
 */
export function twilioSignatureCheck(authToken: string, publicBaseUrl: string) {
  return (req: IncomingMessage, params: ParsedUrlQuery): boolean => {
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string') return false;
    return twilio.validateRequest(authToken, signature, `${publicBaseUrl}${req.url ?? ''}`, params as Record<string, string>);
  };
}
