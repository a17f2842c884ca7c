import { AppError } from '../errors.js';

/** A write's If-Match: undefined (no condition), '*' (must exist) or the revisions (ETags) it accepts. */
export type IfMatch = '*' | readonly number[] | undefined;

export const preconditionFailed = (): AppError =>
  new AppError(
    412,
    'precondition_failed',
    'It has changed since the version named in If-Match (or no longer exists); read it again and retry.',
  );

/** As the scripts take it (src/redis/lua/includes/if-match.lua): '' none, '*' exists, else a comma list. */
export const ifMatchArg = (ifMatch: IfMatch): string =>
  ifMatch === undefined ? '' : ifMatch === '*' ? '*' : ifMatch.length === 0 ? 'none' : ifMatch.join(',');
