import { z } from 'zod';
import { notFound } from '../../errors.js';
import { deadLetterSchema, type DeadLetters } from '../../events/dead-letters.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

const deadLetterListSchema = z.object({
  total: z.number().int().describe('Dead letters kept (the newest `limit` are listed)'),
  deadLetters: z.array(deadLetterSchema),
});
const redeliveredSchema = z.object({ id: z.uuid(), redelivered: z.literal(true) });

/** Operators see events whose delivery was given up, and put them back in the outbox. */
export function opsEventsRoutes(deps: { deadLetters: DeadLetters }): ApiRoute[] {
  return [
    defineRoute('ops', 'get', '/ops/events/dead-letters', {
      summary: 'Events whose delivery to EVENTS_URL was given up, newest first (operators only)',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { '200': json(deadLetterListSchema, 'Dead letters') },
      handle: async ({ query }, res) => {
        res.json(deadLetterListSchema.parse(await deps.deadLetters.list(query.limit)));
      },
    }),
    defineRoute('ops', 'post', '/ops/events/dead-letters/{eventId}/redeliver', {
      summary: 'Put a dead letter back in the outbox, due now, with a fresh retry window (operators only)',
      responses: { '202': json(redeliveredSchema, 'Back in the outbox') },
      errors: [404],
      handle: async ({ params: { eventId } }, res) => {
        if (!(await deps.deadLetters.redeliver(eventId))) throw notFound('not_found', `No dead letter for event ${eventId}.`);
        res.status(202).json({ id: eventId, redelivered: true });
      },
    }),
  ];
}
