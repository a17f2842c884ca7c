import { AppError } from '../errors.js';

/**
 * Every account has one revision counter that only goes up, even across a
 * delete and re-create (see directory-scripts.ts). An account's and each
 * user's current revision is what their ETag names, so an ETag from before a
 * change, or from a deleted account, never matches again.
 */

/** A write's If-Match: undefined (no condition), '*' (must exist) or the revisions it accepts. */
export type IfMatch = '*' | readonly number[] | undefined;

export const preconditionFailed = (): AppError =>
  new AppError(
    412,
    'precondition_failed',
    'It has changed since the version named in If-Match (or no longer exists); read it again and retry.',
  );
