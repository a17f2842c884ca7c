import { createHmac, randomInt } from 'node:crypto';

/** A PIN of `digits` decimal digits, each drawn from the CSPRNG; leading zeros are kept. */
export function generatePin(digits: number): string {
  let pin = '';
  for (let i = 0; i < digits; i += 1) pin += String(randomInt(10));
  return pin;
}

/** What Redis stores instead of the PIN: HMAC-SHA256 under PIN_SECRET. */
export function hashPin(secret: string, pin: string): string {
  return createHmac('sha256', secret).update(pin).digest('base64url');
}

