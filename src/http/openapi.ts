import { z } from 'zod';
import { userBodySchema, type accountBodySchema } from '../directory/directory-schema.js';
import { accountViewSchema, userDetailSchema, userPageSchema, userViewSchema } from '../directory/directory-views.js';
import { supportLineSchema } from '../hours/support-line.js';
import { callHistorySchema, callsQuery } from './routes/call-history-routes.js';
import { oncallListSchema, oncallPinBodySchema, oncallViewSchema, sysadminParams } from '../oncall/oncall-schema.js';
import { liveViewSchema, recentCallsSchema } from '../console/live-view-schema.js';
import { pinIssuedSchema, pinStatusSchema } from '../pins/pin-service.js';
import { eventWebhooks } from '../events/event-openapi.js';
import { etagHeader, ifMatchHeader } from './etags.js';
import { deadLetterListSchema, deadLetterParams, deadLettersQuery, redeliveredSchema } from './routes/ops-events-routes.js';
import { errorBodySchema } from './json-errors.js';
import { usersQuery } from './routes/directory-read-routes.js';
import { accountParams, userParams } from './routes/route-params.js';

/**
 * The OpenAPI 3.1 document of the control panel API, generated from the very
 * zod schemas the handlers parse with, so the two cannot drift apart.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
});

/** A response that names the version it shows, for If-Match on a later PUT. */
const versioned = (schema: z.ZodType, description: string) => ({ ...json(schema, description), headers: { ETag: etagHeader } });

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: '#/components/responses/Error' }]));

function parameters(schema: z.ZodObject, where: 'path' | 'query' | 'header') {
  return Object.entries(schema.shape).map(([name, param]) => ({
    name,
    in: where,
    required: where === 'path',
    schema: jsonSchema(param as z.ZodType, 'input'),
  }));
}

interface Operation {
  summary: string;
  params?: z.ZodObject;
  /** Which kind of key: the control panel's (default) or the operators'. */
  scope?: 'controlPanelKey' | 'opsKey';
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  ok: Record<string, unknown>;
  /**
   * The errors of this operation's own rules (404, 409, 412, 429). Those of reading the request
   * are added from what it takes: path parameters (400 malformed encoding, 422), a query (422),
   * a body (400 invalid JSON or undecompressable, 413, 422); and every operation may answer
   * 401, 403 and 503.
   */
  errors: number[];
}

function readingErrors(op: Operation): number[] {
  const codes = new Set<number>();
  if (op.params !== undefined) [400, 422].forEach((code) => codes.add(code));
  if (op.query !== undefined) codes.add(422);
  if (op.body !== undefined) [400, 413, 422].forEach((code) => codes.add(code));
  return [...codes];
}

function operation(op: Operation) {
  return {
    summary: op.summary,
    parameters: [
      ...(op.params === undefined ? [] : parameters(op.params, 'path')),
      ...(op.query === undefined ? [] : parameters(op.query, 'query')),
      ...(op.headers === undefined ? [] : parameters(op.headers, 'header')),
    ],
    ...(op.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }),
    responses: { ...op.ok, ...errors(...[...new Set([401, 403, ...readingErrors(op), ...op.errors, 503])].sort((a, b) => a - b)) },
    security: [{ [op.scope ?? 'controlPanelKey']: [] }],
  };
}

const noContent = (description: string) => ({ '204': { description } });

export function buildOpenApiDocument(accountBody: ReturnType<typeof accountBodySchema>) {
  const user = '/v1/accounts/{accountId}/users/{userId}';
  return {
    openapi: '3.1.0',
    info: {
      title: 'callgate control panel API',
      version: '1',
      description:
        'Mirror accounts and users, issue PINs for the emergency support line, read support hours and call history; operators set the on-call list.',
    },
    paths: {
      '/v1/accounts/{accountId}': {
        get: operation({
          summary: 'The account: name, plan (sla) and contacts',
          params: accountParams,
          ok: { '200': versioned(accountViewSchema, 'The account') },
          errors: [404],
        }),
        put: operation({
          summary: 'Create or update an account',
          params: accountParams,
          headers: ifMatchHeader,
          body: accountBody,
          ok: { '200': versioned(accountViewSchema, 'Updated'), '201': versioned(accountViewSchema, 'Created') },
          errors: [412],
        }),
        delete: operation({
          summary: 'Delete an account, its users and their PINs',
          params: accountParams,
          ok: noContent('Deleted'),
          errors: [404],
        }),
      },
      '/v1/accounts/{accountId}/users': {
        get: operation({
          summary: "The account's users in id order, a page at a time",
          params: accountParams,
          query: usersQuery,
          ok: { '200': json(userPageSchema, 'A page of users') },
          errors: [404],
        }),
      },
      [user]: {
        get: operation({
          summary: 'The user: name, permissions, roles, whether a PIN is live (never the PIN)',
          params: userParams,
          ok: { '200': versioned(userDetailSchema, 'The user') },
          errors: [404],
        }),
        put: operation({
          summary: 'Create or update a user; omitting roles keeps the roles the user holds',
          params: userParams,
          headers: ifMatchHeader,
          body: userBodySchema,
          ok: { '200': versioned(userViewSchema, 'Updated'), '201': versioned(userViewSchema, 'Created') },
          errors: [404, 409, 412],
        }),
        delete: operation({
          summary: 'Delete a user (not while they hold a contact role)',
          params: userParams,
          ok: noContent('Deleted'),
          errors: [404, 409],
        }),
      },
      [`${user}/pin`]: {
        post: operation({
          summary: "Issue a PIN (replaces the user's live PIN); 409 too_many_live_pins when the account holds pin.livePerAccount live PINs",
          params: userParams,
          ok: { '201': json(pinIssuedSchema, 'Issued: show the PIN to the user once') },
          errors: [404, 409, 429],
        }),
        get: operation({
          summary: 'Whether the user has a live PIN (never the PIN)',
          params: userParams,
          ok: { '200': json(pinStatusSchema, 'Status') },
          errors: [404],
        }),
        delete: operation({
          summary: "Revoke the user's live PIN",
          params: userParams,
          ok: noContent('Revoked (or there was none)'),
          errors: [404],
        }),
      },
      '/v1/accounts/{accountId}/calls': {
        get: operation({
          summary: "The account's recent calls, newest first: time, user, outcome, wait, duration, sysadmin",
          params: accountParams,
          query: callsQuery,
          ok: { '200': json(callHistorySchema, 'Call history') },
          errors: [404],
        }),
      },
      '/v1/oncall': {
        get: operation({
          summary: 'The on-call escalation list, in paging order (operators only)',
          scope: 'opsKey',
          ok: { '200': versioned(oncallViewSchema, 'The list') },
          errors: [],
        }),
        put: operation({
          summary: 'Replace the on-call escalation list (operators only); send the ETag read as If-Match',
          scope: 'opsKey',
          headers: ifMatchHeader,
          body: oncallListSchema,
          ok: { '200': versioned(oncallListSchema, 'The new list') },
          errors: [412],
        }),
      },
      '/v1/oncall/{sysadminId}/pin': {
        put: operation({
          summary: "Set a sysadmin's on-call PIN, asked for when they phone the support line (operators only; never read back)",
          scope: 'opsKey',
          params: sysadminParams,
          body: oncallPinBodySchema,
          ok: noContent('Set'),
          errors: [404],
        }),
      },
      '/v1/ops/now': {
        get: operation({
          summary: 'The on-call console: the line, every caller waiting, every sysadmin, now (operators only)',
          scope: 'opsKey',
          ok: { '200': json(liveViewSchema, 'The line now') },
          errors: [],
        }),
      },
      '/v1/ops/calls': {
        get: operation({
          summary: 'Recent calls across accounts, and the last day per hour by outcome and by wait (operators only)',
          scope: 'opsKey',
          ok: { '200': json(recentCallsSchema, 'Recent calls') },
          errors: [],
        }),
      },
      '/v1/ops/events/dead-letters': {
        get: operation({
          summary: 'Events whose delivery to EVENTS_URL was given up, newest first (operators only)',
          scope: 'opsKey',
          query: deadLettersQuery,
          ok: { '200': json(deadLetterListSchema, 'Dead letters') },
          errors: [],
        }),
      },
      '/v1/ops/events/dead-letters/{eventId}/redeliver': {
        post: operation({
          summary: 'Put a dead letter back in the outbox, due now, with a fresh retry window (operators only)',
          scope: 'opsKey',
          params: deadLetterParams,
          ok: { '202': json(redeliveredSchema, 'Back in the outbox') },
          errors: [404],
        }),
      },
      '/v1/accounts/{accountId}/support-line': {
        get: operation({
          summary: "The account's phone line: eligibility, hours, open now, next change",
          params: accountParams,
          ok: { '200': json(supportLineSchema, 'Support line') },
          errors: [404],
        }),
      },
    },
    webhooks: eventWebhooks(),
    components: {
      securitySchemes: {
        controlPanelKey: { type: 'http', scheme: 'bearer', description: 'A key of CONTROL_PANEL_API_KEYS' },
        opsKey: { type: 'http', scheme: 'bearer', description: 'A key of OPS_API_KEYS' },
      },
      responses: { Error: json(errorBodySchema, 'An error, in the one error shape of this API') },
    },
  };
}
