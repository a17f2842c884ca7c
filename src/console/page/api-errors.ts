import { z } from 'zod';

// The API's one error shape. Details are zod issues or a contact rule's list of what is missing:
// the console shows those with a message, and the error's own message whatever they are.
const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
  }),
});
const detailSchema = z.object({ path: z.array(z.union([z.string(), z.number()])).catch([]), message: z.string() });
export type ErrorDetail = { path: string[]; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const detailsOf = (details: unknown[] = []): ErrorDetail[] =>
  details.flatMap((detail) => {
    const parsed = detailSchema.safeParse(detail);
    return parsed.success ? [{ path: parsed.data.path.map(String), message: parsed.data.message }] : [];
  });

export function apiErrorOf(status: number, json: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return new ApiError(status, 'unexpected', `callgate answered ${String(status)}.`);
  const { code, message, details } = parsed.data.error;
  return new ApiError(status, code, message, detailsOf(details));
}

/** The operator's key was refused (unknown, or not allowed from here): the page signs out. */
export const isRefusal = (error: unknown): error is ApiError =>
  error instanceof ApiError && (error.status === 401 || error.status === 403);
