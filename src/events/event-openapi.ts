import { z } from 'zod';
import { EVENT_TYPES, eventSchema } from './event-catalogue.js';
import { REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER } from './event-signature.js';

const bodyOf = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });
  return rest;
};

const signature = {
  name: SIGNATURE_HEADER,
  in: 'header',
  required: true,
  description:
    `t=<unix seconds>,v1=<hex HMAC-SHA256(EVENTS_SECRET, "<t>.<raw body>")>. Refuse a request whose t is more than ` +
    `${String(REPLAY_WINDOW_SECONDS)} s from your clock or whose v1 does not match (compare in constant time).`,
  schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' },
};

/** The OpenAPI `webhooks`: what callgate POSTs to EVENTS_URL, one entry per event type. */
export function eventWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    eventSchema.options.map((envelope) => {
      const type = envelope.shape.type.value;
      return [
        type,
        {
          post: {
            summary: `${EVENT_TYPES[type].summary} (${type}, version ${String(EVENT_TYPES[type].version)})`,
            description:
              'Delivered at least once to EVENTS_URL: deduplicate by id; order is not guaranteed. Any answer but 2xx ' +
              '(redirects are not followed) or no answer within the send timeout is retried with backoff.',
            parameters: [signature],
            requestBody: { required: true, content: { 'application/json': { schema: bodyOf(envelope) } } },
            responses: { '2XX': { description: 'Received (an event already seen should also get 2xx)' } },
          },
        },
      ];
    }),
  );
}
