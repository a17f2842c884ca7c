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

/**
 * The account code a caller types with the PIN once the line asks for it (README "The
 * guessing bound"): `digits` decimal digits derived from the account id under PIN_SECRET,
 * so it is the same for every PIN of the account, needs no storage, and cannot be worked
 * out from the account id alone. Two accounts may share a code; that only merges their partitions.
 */
export function accountCodeOf(secret: string, accountId: string, digits: number): string {
  const mac = createHmac('sha256', secret).update(`account-code\u0000${accountId}`).digest();
  return (mac.readBigUInt64BE(0) % 10n ** BigInt(digits)).toString().padStart(digits, '0');
}
