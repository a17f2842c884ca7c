import { AppError, UnavailableError } from '../errors.js';

/**
 * Runs a Redis operation; a connection failure or timeout becomes `UnavailableError`
 * (503 on the API, the apology on the phone). An error reply from Redis itself is
 * a bug of ours and stays what it is.
 */
export async function withRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof Error && error.name === 'ReplyError') throw error;
    throw new UnavailableError(error);
  }
}
