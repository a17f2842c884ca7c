import { AppError } from '../errors.js';

/**
 * Every account has one revision counter that only goes up, even across a
 * delete and re-create (see lua/includes/directory.lua). An account's and each
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

/** The If-Match condition as the scripts take it (src/redis/lua/includes/if-match.lua): '' none, '*' exists, else a comma list of revisions. */
export const ifMatchArg = (ifMatch: IfMatch): string =>
  ifMatch === undefined ? '' : ifMatch === '*' ? '*' : ifMatch.length === 0 ? 'none' : ifMatch.join(',');
