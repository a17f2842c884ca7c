import { z } from 'zod';
import { eventWebhooks } from '../events/event-openapi.js';
import type { ApiRoute } from './api-route.js';
import { etagHeader } from './etags.js';
import { errorBodySchema } from './json-errors.js';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

/** A JSON answer of `schema`. */
export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
});

/** A response that names the version it shows, for If-Match on a later PUT. */
export const versioned = (schema: z.ZodType, description: string) => ({ ...json(schema, description), headers: { ETag: etagHeader } });

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query' | 'header') {
  return Object.entries(schema?.shape ?? {}).map(([name, param]) => ({
    name,
    in: where,
    required: where === 'path',
    schema: jsonSchema(param as z.ZodType, 'input'),
  }));
}

function errorsOf(route: ApiRoute): Record<string, unknown> {
  const codes = new Set([401, 403, ...(route.errors ?? []), 503]);
  if (route.params !== undefined) [400, 422].forEach((code) => codes.add(code));
  if (route.query !== undefined) codes.add(422);
  if (route.body !== undefined) [400, 413, 422].forEach((code) => codes.add(code));
  return Object.fromEntries([...codes].sort((a, b) => a - b).map((code) => [String(code), { $ref: '#/components/responses/Error' }]));
}

function operationOf(route: ApiRoute) {
  return {
    summary: route.summary,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...parameters(route.headers, 'header')],
    ...(route.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }),
    responses: { ...route.responses, ...errorsOf(route) },
    security: [{ [`${route.auth}Key`]: [] }],
  };
}

export function buildOpenApiDocument(routes: ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[`/v1${route.path}`] ??= {})[route.method] = operationOf(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'callgate control panel API',
      version: '1',
      description:
        'Mirror accounts and users, issue PINs for the emergency support line, read support hours and call history; operators set the on-call list.',
    },
    paths,
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
