import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { deadLetterSchema, type DeadLetters } from '../../events/dead-letters.js';
import { parseInput } from '../parse-input.js';

export const deadLettersQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const deadLetterParams = z.object({ eventId: z.uuid() });
export const deadLetterListSchema = z.object({
  total: z.number().int().describe('Dead letters kept (the newest `limit` are listed)'),
  deadLetters: z.array(deadLetterSchema),
});
export const redeliveredSchema = z.object({ id: z.uuid(), redelivered: z.literal(true) });

/** Operators see events whose delivery was given up, and put them back in the outbox. */
export function opsEventsRoutes(deps: { deadLetters: DeadLetters }): Router {
  const router = Router();
  router.get('/ops/events/dead-letters', async (req, res) => {
    const { limit } = parseInput(deadLettersQuery, req.query, 'query');
    res.json(deadLetterListSchema.parse(await deps.deadLetters.list(limit)));
  });
  router.post('/ops/events/dead-letters/:eventId/redeliver', async (req, res) => {
    const { eventId } = parseInput(deadLetterParams, req.params, 'params');
    if (!(await deps.deadLetters.redeliver(eventId))) throw notFound('not_found', `No dead letter for event ${eventId}.`);
    res.status(202).json({ id: eventId, redelivered: true });
  });
  return router;
}
