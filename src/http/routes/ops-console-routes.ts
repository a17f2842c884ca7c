import { attentionSchema } from '../../console/attention-schema.js';
import type { ConsoleFeed } from '../../console/console-feed.js';
import { liveViewSchema, recentCallsSchema } from '../../console/live-view-schema.js';
import type { LiveStream, StreamEvent } from '../../console/live-stream.js';
import type { VoicemailAudio } from '../../console/voicemail-audio.js';
import { notFound } from '../../errors.js';
import type { MissedCallers } from '../../oncall/missed-callers.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

/**
 * The on-call console's data (operator keys only), all from the one shared feed: a browser
 * polling or streaming it costs no Redis read of its own. A missed caller's message is played
 * through callgate because Twilio's recording URL takes the account's credentials.
 */
export function opsConsoleRoutes(deps: {
  feed: ConsoleFeed;
  stream: LiveStream;
  missed: Pick<MissedCallers, 'get'>;
  audio: VoicemailAudio;
}): ApiRoute[] {
  const { feed } = deps;
  // The feed's snapshots change every second: a cached one would show a line that has moved on.
  const snapshot = (path: string, answer: unknown, read: () => Promise<unknown>, summary: string): ApiRoute =>
    defineRoute('ops', 'get', path, {
      summary,
      responses: { '200': answer },
      handle: async (_input, res) => {
        res.set('Cache-Control', 'no-store').json(await read());
      },
    });
  return [
    snapshot('/ops/now', json(liveViewSchema, 'The line now'), () => feed.live(),
      'The on-call console: the line, every caller waiting, every sysadmin, now (operators only)'),
    snapshot('/ops/calls', json(recentCallsSchema, 'Recent calls'), () => feed.recentCalls(),
      'Recent calls across accounts, and the last day per hour by outcome and by wait (operators only)'),
    snapshot('/ops/attention', json(attentionSchema, 'What needs a human'), () => feed.attention(),
      'Missed callers and their messages, undelivered events, the guessing bound (operators only)'),
    defineRoute('ops', 'get', '/ops/missed-calls/{callSid}/voicemail', {
      summary:
        "A missed caller's message as audio, fetched from Twilio with the account's credentials (operators only)",
      responses: {
        '200': {
          description: 'The recording (WAV)',
          content: { 'audio/x-wav': { schema: { type: 'string', contentMediaType: 'audio/x-wav' } } },
        },
      },
      errors: [404, 502],
      handle: async ({ params: { callSid } }, res) => {
        const call = await deps.missed.get(callSid);
        if (call?.voicemail === undefined) throw notFound('not_found', `No message from missed call ${callSid}.`);
        await deps.audio.stream(call.voicemail.url, res);
      },
    }),
    // Read with fetch, so the key travels as a bearer header, never in a URL (EventSource cannot send one).
    defineRoute('ops', 'get', '/ops/stream', {
      summary:
        'The on-call console, pushed: `now` every second, `calls` and `attention` when they change (operators only)',
      responses: {
        '200': {
          description:
            'Server-sent events: `now` (as GET /v1/ops/now), `calls` (as GET /v1/ops/calls), ' +
            '`attention` (as GET /v1/ops/attention), each one JSON line.',
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
          const send = (event: StreamEvent) => res.write(`event: ${event.name}\ndata: ${event.data}\n\n`);
          const stop = deps.stream.watch(send, () => res.end());
          res.on('close', () => {
            stop();
            resolve();
          });
        });
      },
    }),
  ];
}
