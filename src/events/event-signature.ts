import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of an event delivery, Stripe/Slack style: the header
 * `Callgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(EVENTS_SECRET, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver that refuses old
 * timestamps (REPLAY_WINDOW_SECONDS) refuses a replayed request; each attempt
 * is signed afresh, so a retry a day later still verifies.
 */
export const SIGNATURE_HEADER = 'Callgate-Signature';
export const REPLAY_WINDOW_SECONDS = 300;

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${String(timestamp)}.${body}`).digest('hex');

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${String(timestamp)},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * The receiver's check (docs/events.md "The signature" shows the same): the header parses,
 * the timestamp is within the window of `nowSeconds`, and one v1 matches.
 */
export function verifySignature(secret: string, body: string, header: string | undefined, nowSeconds: number): boolean {
  const parts = (header ?? '').split(',').map((part) => part.split('='));
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > REPLAY_WINDOW_SECONDS) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body));
  return parts
    .filter(([name]) => name === 'v1')
    .some(([, value = '']) => value.length === expected.length && timingSafeEqual(Buffer.from(value), expected));
}
