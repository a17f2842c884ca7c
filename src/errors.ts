/** callgate's one error type: a stable code, the HTTP status, and a message safe to show (never a secret). */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { details?: unknown[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (code: 'account_not_found' | 'user_not_found' | 'not_found', message: string): AppError =>
  new AppError(404, code, message);

export const conflict = (code: string, message: string, details?: unknown[]): AppError =>
  new AppError(409, code, message, details === undefined ? {} : { details });

/** Redis did not answer in time or at all. */
export class UnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(503, 'unavailable', 'The service is temporarily unavailable; please retry shortly.');
    this.cause = cause;
  }
}
