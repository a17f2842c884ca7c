import { authorisedFetch } from './api.js';

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
