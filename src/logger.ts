import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskPhoneNumbers } from './phone-number-mask.js';

export type { Logger };

/**
 * Paths that may carry a secret: PINs, the Digits a caller typed, API keys,
 * Twilio's credentials. Configured once here; a test proves nothing leaks.
 */
export const REDACTED_PATHS = [
  'pin',
  '*.pin',
  'Digits',
  '*.Digits',
  'digits',
  '*.digits',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'authToken',
  '*.authToken',
  'pinSecret',
  '*.pinSecret',
  'apiKey',
  '*.apiKey',
  // Whoever has a recording's URL may be able to play it (unless Twilio's HTTP auth on media
  // URLs is on, README "Twilio console settings"): lines name the recording by its RecordingSid instead.
  'recordingUrl',
  '*.recordingUrl',
];

/** Fields that hold a phone number: logged masked (`+44…68`), at every level. */
export const PHONE_NUMBER_PATHS = ['from', '*.from', 'to', '*.to', 'callerNumber', '*.callerNumber', 'phone', '*.phone', 'number', '*.number'];

const MASKED_FIELDS = new Set(PHONE_NUMBER_PATHS.map((path) => path.replace('*.', '')));

/** One redaction for both: secrets are replaced, phone numbers masked. */
function censor(value: unknown, path: string[]): unknown {
  const field = path.at(-1) ?? '';
  if (!MASKED_FIELDS.has(field)) return '[redacted]';
  return typeof value === 'string' ? maskPhoneNumbers(value) : value;
}

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const base = {
    level: options.level,
    redact: { paths: [...REDACTED_PATHS, ...PHONE_NUMBER_PATHS], censor },
    base: { service: 'callgate' },
    serializers: { err: serializeError },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  // Human-readable on a terminal, JSON lines everywhere else (containers, log shippers).
  if (process.stdout.isTTY) return pino({ ...base, transport: { target: 'pino-pretty' } });
  return pino(base);
}

/**
 * pino's error serializer, less the arguments of a failed Redis command (ioredis attaches them),
 * with phone numbers masked in the message (Twilio's errors quote the number they refused).
 */
function serializeError(error: Error): Record<string, unknown> {
  const { command: _command, ...rest } = stdSerializers.err(error) as Record<string, unknown>;
  for (const key of ['message', 'stack'] as const) {
    const text = rest[key];
    if (typeof text === 'string') rest[key] = maskPhoneNumbers(text);
  }
  return rest;
}
