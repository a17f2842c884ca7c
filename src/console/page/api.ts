import { z } from 'zod';

/** The API's one error shape (SPEC §3), as far as the console reads it. */
const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.array(z.string()), message: z.string() })).optional(),
  }),
});
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

/** `ifMatch` is sent as If-Match; `etag` is told the answer's ETag (null when it has none). */
export interface ApiOptions {
  ifMatch?: string | undefined;
  etag?: (tag: string | null) => void;
}

export type Api = <S extends z.ZodType>(method: 'GET' | 'PUT', path: string, schema: S, body?: unknown, options?: ApiOptions) => Promise<z.output<S>>;

/**
 * Calls callgate's API with the operator's key as a bearer header: no cookie is ever set, so
 * no other site can make the browser act for the operator, and the key is never in a URL.
 * Answers are parsed with the server's own schemas.
 */
export function createApi(key: string): Api {
  return async (method, path, schema, body, options = {}) => {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(options.ifMatch === undefined ? {} : { 'If-Match': options.ifMatch }),
        },
        cache: 'no-store',
        credentials: 'omit',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', 'callgate did not answer: check the connection.');
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const parsed = errorBodySchema.safeParse(json);
      if (!parsed.success) throw new ApiError(res.status, 'unexpected', `callgate answered ${res.status}.`);
      const { code, message, details } = parsed.data.error;
      throw new ApiError(res.status, code, message, details);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(res.status, 'unexpected', 'callgate answered something this page does not understand; reload it.');
    options.etag?.(res.headers.get('ETag'));
    return parsed.data;
  };
}
