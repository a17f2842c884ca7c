import { pinIssuedSchema, pinStatusSchema, type PinService } from '../../pins/pin-service.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';
import { userParams } from './route-params.js';

/** A user's PIN: issued to the control panel, which shows it once; never readable afterwards. */
export function pinRoutes(deps: { pinService: PinService }): ApiRoute[] {
  const { pinService } = deps;
  const path = '/accounts/{accountId}/users/{userId}/pin';
  return [
    defineRoute('post', path, {
      auth: 'controlPanel',
      summary: "Issue a PIN (replaces the user's live PIN); 409 too_many_live_pins when the account holds pin.livePerAccount live PINs",
      params: userParams,
      responses: { '201': json(pinIssuedSchema, 'Issued: show the PIN to the user once') },
      errors: [404, 409, 429],
      handle: async ({ params }, res) => {
        const issued = await pinService.issuePin(params.accountId, params.userId);
        // The PIN must not linger in a proxy or browser cache.
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(issued);
      },
    }),
    defineRoute('get', path, {
      auth: 'controlPanel',
      summary: 'Whether the user has a live PIN (never the PIN)',
      params: userParams,
      responses: { '200': json(pinStatusSchema, 'Status') },
      errors: [404],
      handle: async ({ params }, res) => {
        res.json(await pinService.pinStatus(params.accountId, params.userId));
      },
    }),
    defineRoute('delete', path, {
      auth: 'controlPanel',
      summary: "Revoke the user's live PIN",
      params: userParams,
      responses: { '204': { description: 'Revoked (or there was none)' } },
      errors: [404],
      handle: async ({ params }, res) => {
        await pinService.revokePin(params.accountId, params.userId);
        res.status(204).end();
      },
    }),
  ];
}
