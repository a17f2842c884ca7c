// Caller numbers in logs are personal data that log shippers copy far and keep long (docs/security.md "Logs").
// E.164 country codes are prefix-free: 1 and 7 have one digit, the ones below two, all others three (ITU-T E.164 list).
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66',
  '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

function countryCode(digits: string): string {
  if (digits.startsWith('1') || digits.startsWith('7')) return digits.slice(0, 1);
  return TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? digits.slice(0, 2) : digits.slice(0, 3);
}

// A run of six or more digits, with its +, not inside a word (so a CallSid's hex is left alone).
const NUMBER = /(?<![\w+])\+?\d{6,}(?!\w)/g;

/** `text` with every phone number in it masked: `+447700900668` → `+44…68`, `07700900668` → `…68`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(NUMBER, (number) =>
    number.startsWith('+') ? `+${countryCode(number.slice(1))}…${number.slice(-2)}` : `…${number.slice(-2)}`,
  );
}
