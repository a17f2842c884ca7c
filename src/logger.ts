import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

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
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'callgate' },
    serializers: { err: serializeError },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  // Human-readable on a terminal, JSON lines everywhere else (containers, log shippers).
  if (process.stdout.isTTY) return pino({ ...base, transport: { target: 'pino-pretty' } });
  return pino(base);
}

/** pino's error serializer, less the arguments of a failed Redis command (ioredis attaches them). */
function serializeError(error: Error): Record<string, unknown> {
  const { command: _command, ...rest } = stdSerializers.err(error) as Record<string, unknown>;
  return rest;
}
