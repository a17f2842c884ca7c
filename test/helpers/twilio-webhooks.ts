import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { SyntaxValidator } from 'fast-xml-validator';
import request from 'supertest';
import twilio from 'twilio';
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';

/** Webhooks signed exactly as Twilio signs them: the twilio package's own signature, over PUBLIC_BASE_URL. */
export function signedWebhooks(app: RequestListener, config: Config) {
  return (path: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(config.twilio.authToken, `${config.publicBaseUrl}${path}`, params);
    return request(app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
  };
}

export const newCallSid = (): string => `CA${randomBytes(16).toString('hex')}`;
export const newCaller = (): string => `+4479${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** One phone call, step by step, as Twilio would post it. */
export function placeCall(app: RequestListener, config: Config, from = newCaller()) {
  const post = signedWebhooks(app, config);
  const callSid = newCallSid();
  const base = { CallSid: callSid, From: from, To: config.supportPhoneNumber, AccountSid: config.twilio.accountSid };
  return {
    callSid,
    from,
    voice: () => post('/twilio/voice', { ...base, CallStatus: 'ringing' }),
    pin: (digits: string, attempt = 1) => post(`/twilio/pin?attempt=${String(attempt)}`, { ...base, Digits: digits }),
    wait: (position: number, queueTime: number) =>
      post('/twilio/wait', { ...base, QueuePosition: String(position), QueueTime: String(queueTime), CurrentQueueSize: String(position) }),
    /** The <Enqueue> action, as Twilio sends it for a caller who left queue `queueSid`. */
    queueResultIn: (queueSid: string, result: string, queueTime: number) =>
      post('/twilio/queue-result', { ...base, QueueSid: queueSid, QueueResult: result, QueueTime: String(queueTime) }),
    queueResult: (result: string, queueTime: number) =>
      post('/twilio/queue-result', { ...base, QueueResult: result, QueueTime: String(queueTime) }),
    status: (callStatus: string, duration: number) =>
      post('/twilio/status', { ...base, CallStatus: callStatus, CallDuration: String(duration) }),
  };
}

/** Asserts a webhook answer is what Twilio needs: 200, text/xml, well-formed TwiML. Returns the XML. */
export function twimlOf(res: { status: number; headers: Record<string, string>; text: string }): string {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/xml/);
  expect(SyntaxValidator.validate(res.text)).toBe(true);
  expect(res.text).toMatch(/<Response>|<Response\/>/);
  return res.text;
}

/** Every <Say> text of a TwiML document, in order. */
export const spoken = (xml: string): string[] => [...xml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1] ?? '');
