import { z } from 'zod';
import { notFound } from '../../errors.js';
import type { OncallPins } from '../../oncall/oncall-pins.js';
import { oncallListSchema, oncallPinBodySchema, oncallViewSchema } from '../../oncall/oncall-schema.js';
import type { OncallView } from '../../oncall/oncall-schema.js';
import type { OncallStore } from '../../oncall/oncall-store.js';
import type { RotaSync } from '../../oncall/rota-source/rota-sync.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { ifMatchHeader, ifMatchOf, sendVersioned } from '../etags.js';
import { versioned } from '../openapi.js';

const leftOutReason = z.enum(['no_phone', 'invalid_entry', 'same_phone_as_another', 'rota_full']);
const rotaSyncSchema = z
  .object({
    source: z.enum(['pagerduty', 'opsgenie']),
    outcome: z
      .enum(['changed', 'unchanged'])
      .meta({ description: 'changed: the rota was written (a new revision); unchanged: it already matched' }),
    revision: z.number().int(),
    sysadmins: z.number().int().meta({ description: 'Sysadmins on the rota now' }),
    leftOut: z
      .array(z.object({ id: z.string(), reason: leftOutReason }))
      .meta({ description: 'On call at the source but not on the rota: callgate cannot page them' }),
  })
  .meta({ description: 'What one read of the rota source did.' });

/**
 * Operators set the ordered escalation list, and each sysadmin's on-call PIN (never read back).
 * With a rota source (`rotaSync`), PagerDuty or Opsgenie says who is on call: a PIN may be set for
 * someone not on call right now (it waits for their turn), and the rota can be read from it on
 * demand; otherwise a PIN only for someone on the rota.
 */
export function oncallRoutes(deps: {
  oncall: OncallStore;
  oncallPins: OncallPins;
  rotaSync: RotaSync | undefined;
}): ApiRoute[] {
  const { oncall, oncallPins, rotaSync } = deps;
  return [
    defineRoute('ops', 'get', '/oncall', {
      summary: 'The on-call escalation list, in paging order (operators only)',
      responses: { '200': versioned(oncallViewSchema, 'The list') },
      handle: async (_input, res) => {
        const { list, revision } = await oncall.read();
        const pins = await oncallPins.have(list.map((sysadmin) => sysadmin.id));
        const withPins: OncallView = list.map((sysadmin, i) => ({ ...sysadmin, hasPin: pins[i] === true }));
        sendVersioned(res, 'rota', revision, withPins);
      },
    }),
    // With If-Match, a change made from an older read is refused (412) instead of undoing another's.
    defineRoute('ops', 'put', '/oncall', {
      summary: 'Replace the on-call escalation list (operators only); send the ETag read as If-Match',
      headers: ifMatchHeader,
      body: oncallListSchema,
      responses: { '200': versioned(oncallListSchema, 'The new list') },
      errors: [412],
      handle: async ({ headers, body: list }, res) => {
        sendVersioned(res, 'rota', await oncall.replace(list, ifMatchOf('rota', headers['If-Match'])), list);
      },
    }),
    defineRoute('ops', 'put', '/oncall/{sysadminId}/pin', {
      summary:
        "Set a sysadmin's on-call PIN, asked for when they phone the support line (operators only; never read back). " +
        'With a rota source, for any of its user ids; else for someone on the rota',
      body: oncallPinBodySchema,
      responses: { '204': { description: 'Set' } },
      errors: [404],
      handle: async ({ params: { sysadminId }, body: { pin } }, res) => {
        if (rotaSync === undefined && !(await oncall.list()).some((sysadmin) => sysadmin.id === sysadminId)) {
          throw notFound('not_found', `No sysadmin ${sysadminId} on the rota.`);
        }
        await oncallPins.set(sysadminId, pin);
        res.status(204).end();
      },
    }),
    ...(rotaSync === undefined ? [] : [rotaSyncRoute(rotaSync)]),
  ];
}

/** After changing a schedule or override at the source, operators need not wait for the next interval. */
function rotaSyncRoute(rotaSync: RotaSync): ApiRoute {
  return defineRoute('ops', 'post', '/oncall/sync', {
    summary:
      'Read the rota from its source (ROTA_SOURCE) now (operators only); ' +
      '502 when it cannot be read: the last good rota stays',
    responses: { '200': versioned(rotaSyncSchema, 'The rota as read') },
    errors: [502],
    handle: async (_input, res) => {
      const result = await rotaSync.sync();
      sendVersioned(res, 'rota', result.revision, rotaSyncSchema.parse(result));
    },
  });
}
