import type { RequestHandler } from 'express';
import twilio from 'twilio';

/** The TwiML sent with a 403: still valid TwiML, in case it was Twilio after all. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Admits only requests signed by Twilio with our auth token. The URL checked is
 * PUBLIC_BASE_URL + the path and query, never the Host header or the protocol
 * the request arrived with (a proxy in front may speak plain http to us).
 */
export function requireTwilioSignature(authToken: string, publicBaseUrl: string): RequestHandler {
  return (req, res, next) => {
    const signature = req.get('x-twilio-signature');
    const params = (req.body ?? {}) as Record<string, string>;
    const url = `${publicBaseUrl}${req.originalUrl}`;
    if (signature !== undefined && twilio.validateRequest(authToken, signature, url, params)) {
      next();
      return;
    }
    req.log.warn({ url }, 'rejected a webhook with a missing or wrong Twilio signature');
    res.status(403).type('text/xml').send(EMPTY_TWIML);
  };
}
