import { z } from 'zod';
import type { RotaSync } from '../../oncall/rota-source/rota-sync.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { etagOf } from '../etags.js';
import { versioned } from '../openapi.js';

const rotaSyncSchema = z
  .object({
    source: z.enum(['pagerduty', 'opsgenie']),
    outcome: z.enum(['changed', 'unchanged']).meta({ description: 'changed: the rota was written (a new revision); unchanged: it already matched' }),
    revision: z.number().int(),
    sysadmins: z.number().int().meta({ description: 'Sysadmins on the rota now' }),
    leftOut: z
      .array(z.object({ id: z.string(), reason: z.enum(['no_phone', 'invalid_entry', 'same_phone_as_another', 'rota_full']) }))
      .meta({ description: 'On call at the source but not on the rota: callgate cannot page them' }),
  })
  .meta({ description: 'What one read of the rota source did.' });

/**
 * With ROTA_SOURCE set, operators can read the rota from it now rather than at the next
 * interval (after changing a schedule or override there). Only mounted with a source.
 */
export function rotaSyncRoutes(deps: { rotaSync: RotaSync }): ApiRoute[] {
  return [
    defineRoute('post', '/oncall/sync', {
      auth: 'ops',
      summary: 'Read the rota from its source (ROTA_SOURCE) now (operators only); 502 when it cannot be read: the last good rota stays',
      responses: { '200': versioned(rotaSyncSchema, 'The rota as read') },
      errors: [502],
      handle: async (_input, res) => {
        const result = await deps.rotaSync.sync();
        res.setHeader('ETag', etagOf('rota', result.revision));
        res.json(rotaSyncSchema.parse(result));
      },
    }),
  ];
}
