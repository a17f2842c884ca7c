import type { LiveStream, StreamEvent } from '../../console/live-stream.js';
import { defineRoute, type ApiRoute } from '../api-route.js';

/**
 * The console's live updates as server-sent events (operator keys only). The page reads the
 * stream with fetch, so the key travels as a bearer header, never in a URL (EventSource cannot
 * send one). Every viewer is fed from one loop per instance (src/console/live-stream.ts).
 */
export function opsStreamRoutes(stream: LiveStream): ApiRoute[] {
  return [
    defineRoute('get', '/ops/stream', {
      auth: 'ops',
      summary: 'The on-call console, pushed: `now` every second, `calls` and `attention` when they change (operators only)',
      responses: {
        '200': {
          description:
            'Server-sent events: `now` (as GET /v1/ops/now), `calls` (as GET /v1/ops/calls), `attention` (as GET /v1/ops/attention), each one JSON line.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
      },
      handle: async (_input, res) => {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          // Proxies such as nginx would otherwise hold the events back.
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        await new Promise<void>((resolve) => {
          const send = (event: StreamEvent): void => {
            res.write(`event: ${event.name}\ndata: ${event.data}\n\n`);
          };
          const stop = stream.watch(send, () => {
            res.end();
          });
          res.on('close', () => {
            stop();
            resolve();
          });
        });
      },
    }),
  ];
}
