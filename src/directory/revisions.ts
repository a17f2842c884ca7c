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

/**
 * The If-Match check for a script that writes a versioned value, so the check and the write
 * are one step: ifMatch(condition, exists, rev) with the condition as ifMatchArg gives it.
 */
export const IF_MATCH_FN_LUA = `
local function ifMatch(condition, exists, rev)
  if condition == '' then return true end
  if not exists then return false end
  if condition == '*' then return true end
  for tag in string.gmatch(condition, '[^,]+') do
    if tonumber(tag) == rev then return true end
  end
  return false
end
`;

/** The If-Match condition as the scripts take it: '' none, '*' exists, else a comma list of revisions. */
export const ifMatchArg = (ifMatch: IfMatch): string =>
  ifMatch === undefined ? '' : ifMatch === '*' ? '*' : ifMatch.length === 0 ? 'none' : ifMatch.join(',');
