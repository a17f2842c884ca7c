import { z } from 'zod';

// The API's one error shape. Details are zod issues or a contact rule's list of what is missing:
// the console keeps those with a message (the others read as null), and the error's own message whatever they are.
const detailSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])).catch([]).transform((path) => path.map(String)),
  message: z.string(),
});
const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(detailSchema.nullable().catch(null)).optional(),
  }),
});
export type ErrorDetail = z.output<typeof detailSchema>;

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

export function apiErrorOf(status: number, json: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return new ApiError(status, 'unexpected', `callgate answered ${String(status)}.`);
  const { code, message, details = [] } = parsed.data.error;
  return new ApiError(status, code, message, details.filter((detail) => detail !== null));
}

/** The operator's key was refused (unknown, or not allowed from here): the page signs out. */
export const isRefusal = (error: unknown): error is ApiError =>
  error instanceof ApiError && (error.status === 401 || error.status === 403);
