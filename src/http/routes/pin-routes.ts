import { pinIssuedSchema, pinStatusSchema, type PinService } from '../../pins/pin-service.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

/** A user's PIN: issued to the control panel, which shows it once; never readable afterwards. */
export function pinRoutes({ pinService }: { pinService: PinService }): ApiRoute[] {
  const path = '/accounts/{accountId}/users/{userId}/pin';
  return [
    defineRoute('controlPanel', 'post', path, {
      summary:
        "Issue a PIN (replaces the user's live PIN); " +
        '409 too_many_live_pins when the account holds pin.livePerAccount live PINs',
      responses: { '201': json(pinIssuedSchema, 'Issued: show the PIN to the user once') },
      errors: [404, 409, 429],
      handle: async ({ params }, res) => {
        const issued = await pinService.issuePin(params.accountId, params.userId);
        // The PIN must not linger in a proxy or browser cache.
        res.status(201).set('Cache-Control', 'no-store').json(issued);
      },
    }),
    defineRoute('controlPanel', 'get', path, {
      summary: 'Whether the user has a live PIN (never the PIN)',
      responses: { '200': json(pinStatusSchema, 'Status') },
      errors: [404],
      handle: async ({ params }, res) => {
        res.json(await pinService.pinStatus(params.accountId, params.userId));
      },
    }),
    defineRoute('controlPanel', 'delete', path, {
      summary: "Revoke the user's live PIN",
      responses: { '204': { description: 'Revoked (or there was none)' } },
      errors: [404],
      handle: async ({ params }, res) => {
        await pinService.revokePin(params.accountId, params.userId);
        res.status(204).end();
      },
    }),
  ];
}
