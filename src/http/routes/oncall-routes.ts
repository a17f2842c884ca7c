import { notFound } from '../../errors.js';
import type { OncallPins } from '../../oncall/oncall-pins.js';
import { oncallListSchema, oncallPinBodySchema, oncallViewSchema, sysadminParams, type OncallView } from '../../oncall/oncall-schema.js';
import type { OncallStore } from '../../oncall/oncall-store.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { etagOf, ifMatchHeader, ifMatchOf } from '../etags.js';
import { versioned } from '../openapi.js';

/**
 * Operators set the ordered escalation list, and each sysadmin's on-call PIN (never read back).
 * `rotaFromSource`: PagerDuty or Opsgenie says who is on call, so a PIN may be set for someone
 * who is not on call right now (it waits for their turn); otherwise only for someone on the rota.
 */
export function oncallRoutes(deps: { oncall: OncallStore; oncallPins: OncallPins; rotaFromSource: boolean }): ApiRoute[] {
  return [
    defineRoute('get', '/oncall', {
      auth: 'ops',
      summary: 'The on-call escalation list, in paging order (operators only)',
      responses: { '200': versioned(oncallViewSchema, 'The list') },
      handle: async (_input, res) => {
        const { list, revision } = await deps.oncall.read();
        const pins = await deps.oncallPins.have(list.map((sysadmin) => sysadmin.id));
        const withPins: OncallView = list.map((sysadmin, i) => ({ ...sysadmin, hasPin: pins[i] === true }));
        res.setHeader('ETag', etagOf('rota', revision));
        res.json(withPins);
      },
    }),
    // With If-Match, a change made from an older read is refused (412) instead of undoing another's.
    defineRoute('put', '/oncall', {
      auth: 'ops',
      summary: 'Replace the on-call escalation list (operators only); send the ETag read as If-Match',
      headers: ifMatchHeader,
      body: oncallListSchema,
      responses: { '200': versioned(oncallListSchema, 'The new list') },
      errors: [412],
      handle: async ({ headers, body: list }, res) => {
        res.setHeader('ETag', etagOf('rota', await deps.oncall.replace(list, ifMatchOf('rota', headers['If-Match']))));
        res.json(list);
      },
    }),
    defineRoute('put', '/oncall/{sysadminId}/pin', {
      auth: 'ops',
      summary:
        "Set a sysadmin's on-call PIN, asked for when they phone the support line (operators only; never read back). With a rota source, for any of its user ids; else for someone on the rota",
      params: sysadminParams,
      body: oncallPinBodySchema,
      responses: { '204': { description: 'Set' } },
      errors: [404],
      handle: async ({ params: { sysadminId }, body: { pin } }, res) => {
        if (!deps.rotaFromSource && !(await deps.oncall.list()).some((sysadmin) => sysadmin.id === sysadminId)) {
          throw notFound('not_found', `No sysadmin ${sysadminId} on the rota.`);
        }
        await deps.oncallPins.set(sysadminId, pin);
        res.status(204).end();
      },
    }),
  ];
}
