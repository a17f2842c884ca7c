import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses request input at the edge; a mismatch is 422 `validation_failed` with the zod issues as details. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query' | 'headers'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError(422, 'validation_failed', `The request ${where} is not valid.`, {
    // Only the path, code and message: zod's `input` could echo a secret back.
    details: parsed.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)],
      code: issue.code,
      message: issue.message,
    })),
  });
}
