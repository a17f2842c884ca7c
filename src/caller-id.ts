// No imports: the console page bundles this file (through the rota's schema).
/**
 * Twilio reports a withheld caller ID as the keypad spelling of the carrier's word
 * (ANONYMOUS → +266696687, RESTRICTED, UNKNOWN, BLOCKED, UNAVAILABLE, PRIVATE) or, on some
 * legs, as the word itself. Such a caller can be neither told apart from another nor called back.
 */
const WITHHELD_FROM = new Set(['+266696687', '+7378742833', '+8656696', '+2562533', '+86282452253', '+7748283']);

export const isWithheld = (from: string): boolean => WITHHELD_FROM.has(from) || !/^\+?\d{3,20}$/.test(from);

/** A phone number as Twilio takes it: E.164, a + and up to 15 digits. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Twilio's CallSid: CA and 32 hex digits. */
export const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
