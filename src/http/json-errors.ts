import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';

/** The API's one error shape. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ example: 'validation_failed' }),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
  }),
});

export function sendError(res: Response, error: AppError): void {
  if (error.extra.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.extra.retryAfterSeconds));
  const details = error.extra.details === undefined ? {} : { details: error.extra.details };
  res.status(error.status).json({ error: { code: error.code, message: error.message, ...details } });
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `No route ${req.method} ${req.path}.`));
};

// body-parser marks its errors with a `type`; these are the client's fault, not ours.
const BODY_ERRORS: Record<string, AppError> = {
  'entity.parse.failed': new AppError(400, 'invalid_json', 'The request body is not valid JSON.'),
  'entity.too.large': new AppError(413, 'payload_too_large', 'The request body is larger than 16 KiB.'),
  'encoding.unsupported': new AppError(415, 'unsupported_encoding', 'The request body encoding is not supported.'),
  'charset.unsupported': new AppError(415, 'unsupported_encoding', 'The request body charset is not supported.'),
};

/**
 * Besides body-parser's, the two errors express raises for a request it cannot read: a path
 * parameter's malformed percent-encoding and a body that does not inflate. Any other error, even
 * with a 4xx `status`, is ours until shown otherwise: a 500, and logged.
 */
function clientErrorOf(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null) return;
  const bodyError = 'type' in error && typeof error.type === 'string' ? BODY_ERRORS[error.type] : undefined;
  if (bodyError !== undefined) return bodyError;
  if (!('status' in error) || typeof error.status !== 'number' || error.status < 400 || error.status > 499) return;
  if (error instanceof URIError) {
    return new AppError(400, 'invalid_path', 'The request path has a malformed percent-encoding.');
  }
  if ('code' in error && typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return new AppError(400, 'invalid_body', 'The request body could not be decompressed.');
  }
  return undefined;
}

/** Every error of the JSON API, in the SPEC's shape; anything unexpected is logged and answered 500. */
export const jsonErrors: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const known = error instanceof AppError ? error : clientErrorOf(error);
  if (known !== undefined) {
    if (known.status >= 500) req.log.warn({ err: error, code: known.code }, 'request failed');
    sendError(res, known);
    return;
  }
  req.log.error({ err: error }, 'unexpected error');
  sendError(res, new AppError(500, 'internal_error', 'Something went wrong on our side; it has been logged.'));
};
