import type { ConsoleFeed } from '../../console/console-feed.js';
import { liveViewSchema, recentCallsSchema } from '../../console/live-view-schema.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

/**
 * The on-call console's data (operator keys only). Both answers come from the shared feed: a
 * browser polling them costs no Redis read of its own.
 */
export function opsConsoleRoutes(feed: ConsoleFeed): ApiRoute[] {
  return [
    defineRoute('get', '/ops/now', {
      auth: 'ops',
      summary: 'The on-call console: the line, every caller waiting, every sysadmin, now (operators only)',
      responses: { '200': json(liveViewSchema, 'The line now') },
      handle: async (_input, res) => {
        res.set('Cache-Control', 'no-store').json(await feed.live());
      },
    }),
    defineRoute('get', '/ops/calls', {
      auth: 'ops',
      summary: 'Recent calls across accounts, and the last day per hour by outcome and by wait (operators only)',
      responses: { '200': json(recentCallsSchema, 'Recent calls') },
      handle: async (_input, res) => {
        res.set('Cache-Control', 'no-store').json(await feed.recentCalls());
      },
    }),
  ];
}
