import { AppError, UnavailableError } from '../errors.js';

// A connection failure or timeout becomes `UnavailableError` (503, or the apology on the phone);
// an error reply from Redis itself is a bug of ours and stays what it is.
export async function withRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof Error && error.name === 'ReplyError') throw error;
    throw new UnavailableError(error);
  }
}
