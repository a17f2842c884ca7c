import { authorisedFetch } from './api.js';

// Server-sent events read with fetch: EventSource cannot send the key as a header (a key in a URL ends
// up in logs). callgate sends each event as an `event:` line and one `data:` line, then a blank line.
export type StreamMessage = { event: string; data: string };

function messageOf(block: string): StreamMessage | undefined {
  const event = /^event: ?(.*)$/m.exec(block)?.[1];
  const data = /^data: ?(.*)$/m.exec(block)?.[1];
  return event === undefined || data === undefined ? undefined : { event, data };
}

/** Resolves when the stream ends; rejects when it fails (an ApiError when refused). */
export async function readStream(key: string, onMessage: (m: StreamMessage) => void, signal: AbortSignal) {
  const res = await authorisedFetch(key, '/v1/ops/stream', 'text/event-stream', { signal });
  if (res.body === null) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const message = messageOf(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (message !== undefined) onMessage(message);
      end = buffer.indexOf('\n\n');
    }
  }
}
