import type { z } from 'zod';
import { ApiError, apiErrorOf } from './api-errors.js';

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

/**
 * Calls callgate's JSON API; answers are parsed with the server's own schemas. `ifMatch` is sent as
 * If-Match; the answer's ETag (null when it has none) comes back with its data.
 */
export function createApi(key: string) {
  return async <S extends z.ZodType>(
    method: 'GET' | 'PUT' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
    ifMatch?: string,
  ) => {
    const res = await authorisedFetch(key, path, 'application/json', {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(ifMatch === undefined ? {} : { 'If-Match': ifMatch }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = schema.safeParse(await res.json().catch(() => null));
    const misread = 'callgate answered something this page does not understand; reload it.';
    if (!parsed.success) throw new ApiError(res.status, 'unexpected', misread);
    return { data: parsed.data, etag: res.headers.get('ETag') };
  };
}

export type Api = ReturnType<typeof createApi>;

// Server-sent events read with fetch: EventSource cannot send the key as a header (a key in a URL ends
// up in logs). callgate sends each event as an `event:` line and one `data:` line, then a blank line.
export type StreamMessage = { event: string; data: string };

/** Resolves when the stream ends; rejects when it fails (an ApiError when refused). */
export async function readStream(key: string, onMessage: (m: StreamMessage) => void, signal: AbortSignal) {
  const res = await authorisedFetch(key, '/v1/ops/stream', 'text/event-stream', { signal });
  if (res.body === null) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const blocks = (buffer + value).split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) onMessage({ event, data });
    }
  }
}
