import { z } from 'zod';
import { ApiError, apiErrorOf } from './api-errors.js';

/** `ifMatch` is sent as If-Match; `etag` is told the answer's ETag (null when it has none). */
export interface ApiOptions {
  ifMatch?: string | undefined;
  etag?: (tag: string | null) => void;
}

export type Api = <S extends z.ZodType>(method: 'GET' | 'PUT' | 'POST', path: string, schema: S, body?: unknown, options?: ApiOptions) => Promise<z.output<S>>;

// The operator's key as a bearer header: no cookie is ever set, so no other site can make the browser
// act for the operator, and the key is never in a URL.
export async function authorisedFetch(
  key: string,
  path: string,
  accept: string,
  init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {},
): Promise<Response> {
  let res: Response;
  try {
    const headers = { ...init.headers, Authorization: `Bearer ${key}`, Accept: accept };
    res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', 'callgate did not answer: check the connection.');
  }
  if (!res.ok) throw apiErrorOf(res.status, await res.json().catch(() => null));
  return res;
}

/** Calls callgate's JSON API; answers are parsed with the server's own schemas. */
export function createApi(key: string): Api {
  return async (method, path, schema, body, options = {}) => {
    const res = await authorisedFetch(key, path, 'application/json', {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.ifMatch === undefined ? {} : { 'If-Match': options.ifMatch }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = schema.safeParse(await res.json().catch(() => null));
    const misread = 'callgate answered something this page does not understand; reload it.';
    if (!parsed.success) throw new ApiError(res.status, 'unexpected', misread);
    options.etag?.(res.headers.get('ETag'));
    return parsed.data;
  };
}
