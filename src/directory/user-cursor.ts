import { z } from 'zod';
import { idSchema } from './directory-schema.js';

// Where a page of users starts: after a user id, so a user added or deleted between pages neither
// shifts nor repeats the others. Opaque (base64url of a versioned string), so the format can change.
const VERSION = 'v1:';

export const cursorAfter = (userId: string): string => Buffer.from(`${VERSION}${userId}`).toString('base64url');

export const userCursorSchema = z
  .string()
  .max(128)
  .transform((value, ctx) => {
    const decoded = Buffer.from(value, 'base64url').toString();
    const after = decoded.startsWith(VERSION) ? decoded.slice(VERSION.length) : '';
    if (!idSchema.safeParse(after).success) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
      return z.NEVER;
    }
    return { after };
  })
  .meta({ description: 'The `nextCursor` of the previous page.' });
