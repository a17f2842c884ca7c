import { createHmac, timingSafeEqual } from 'node:crypto';

// `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (docs/events.md): the signed timestamp lets a
// receiver refuse replays; each attempt is signed afresh, so a retry a day later still verifies.
export const SIGNATURE_HEADER = 'Callgate-Signature';
export const REPLAY_WINDOW_SECONDS = 300;

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${String(timestamp)}.${body}`).digest('hex');

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${String(timestamp)},v1=${hmac(secret, timestamp, body)}`;
}

/** The receiver's check: the timestamp within the window of `nowSeconds`, and one v1 matching. */
export function verifySignature(secret: string, body: string, header: string | undefined, nowSeconds: number): boolean {
  const parts = (header ?? '').split(',').map((part) => part.split('='));
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > REPLAY_WINDOW_SECONDS) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body));
  return parts
    .filter(([name]) => name === 'v1')
    .some(([, value = '']) => value.length === expected.length && timingSafeEqual(Buffer.from(value), expected));
}
