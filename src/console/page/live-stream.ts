import { authorisedFetch } from './api.js';

/**
 * Reads callgate's server-sent events (/v1/ops/stream) with fetch rather than EventSource, which
 * cannot send the operator's key as a header (and a key in a URL ends up in logs). The format
 * is the standard one (https://html.spec.whatwg.org/multipage/server-sent-events.html): blocks
 * separated by a blank line, `event:` and `data:` lines; callgate sends one data line per event.
 */
export interface StreamMessage {
  event: string;
  data: string;
}

function messageOf(block: string): StreamMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

/** Calls `onMessage` for each event until the stream ends (resolves) or fails (rejects, an ApiError when refused). */
export async function readStream(key: string, onMessage: (message: StreamMessage) => void, signal: AbortSignal): Promise<void> {
  const res = await authorisedFetch(key, '/v1/ops/stream', { accept: 'text/event-stream', signal });
  if (res.body === null) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value.replaceAll('\r\n', '\n');
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const message = messageOf(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (message !== undefined) onMessage(message);
      end = buffer.indexOf('\n\n');
    }
  }
}
