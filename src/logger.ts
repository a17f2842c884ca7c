import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskPhoneNumbers } from './phone-number-mask.js';

export type { Logger };

// Fields that may carry a secret (docs/security.md "Logs"), at the top level or one down. Whoever
// has a recording's URL may be able to play it: lines name the recording by its RecordingSid instead.
const SECRET_FIELDS = ['pin', 'Digits', 'digits', 'authorization', 'authToken', 'pinSecret', 'apiKey', 'recordingUrl'];
const SECRET_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.body'];
/** Fields that hold a phone number: logged masked (`+44…68`), at every level. */
const PHONE_NUMBER_FIELDS = new Set(['from', 'to', 'callerNumber', 'phone', 'number']);

const atTopAndOneDown = (fields: Iterable<string>) => [...fields].flatMap((field) => [field, `*.${field}`]);
const REDACTED_PATHS = [...atTopAndOneDown(SECRET_FIELDS), ...SECRET_PATHS, ...atTopAndOneDown(PHONE_NUMBER_FIELDS)];

/** One redaction for both: secrets are replaced, phone numbers masked. */
function censor(value: unknown, path: string[]): unknown {
  if (!PHONE_NUMBER_FIELDS.has(path.at(-1) ?? '')) return '[redacted]';
  return typeof value === 'string' ? maskPhoneNumbers(value) : value;
}

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor },
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
