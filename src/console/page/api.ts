import { z } from 'zod';
import { ApiError, apiErrorOf } from './api-errors.js';

export { ApiError, type ErrorDetail } from './api-errors.js';

/** `ifMatch` is sent as If-Match; `etag` is told the answer's ETag (null when it has none). */
export interface ApiOptions {
  ifMatch?: string | undefined;
  etag?: (tag: string | null) => void;
}

export type Api = <S extends z.ZodType>(method: 'GET' | 'PUT' | 'POST', path: string, schema: S, body?: unknown, options?: ApiOptions) => Promise<z.output<S>>;

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
    if (!res.ok) throw apiErrorOf(res.status, json);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(res.status, 'unexpected', 'callgate answered something this page does not understand; reload it.');
    options.etag?.(res.headers.get('ETag'));
    return parsed.data;
  };
}

/** A fetch of this origin's API with the operator's key as the bearer header (for what is not JSON: audio, the live stream). */
export async function authorisedFetch(key: string, path: string, init: { accept: string; signal?: AbortSignal }): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      headers: { Authorization: `Bearer ${key}`, Accept: init.accept },
      cache: 'no-store',
      credentials: 'omit',
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
  } catch {
    throw new ApiError(0, 'network', 'callgate did not answer: check the connection.');
  }
  if (!res.ok) throw apiErrorOf(res.status, await res.json().catch(() => null));
  return res;
}
