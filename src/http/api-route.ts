import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { KeyScope } from './bearer-auth.js';

/**
 * One /v1 route, declared once: express serves it, parsing its input with the declared zod
 * schemas, and the OpenAPI document (src/http/openapi.ts) describes it from the very same
 * declaration, so the two cannot drift apart.
 */
export interface RouteDeclaration {
  /** Whose key it takes: the control panel's or the operators'. */
  auth: KeyScope;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The answers of success, as OpenAPI responses (see `json` and `versioned` in openapi.ts). */
  responses: Record<string, unknown>;
  /**
   * The errors of this operation's own rules (404, 409, 412, 429). Those of reading the request
   * are added from what it takes: path parameters (400 malformed encoding, 422), a query (422),
   * a body (400 invalid JSON or undecompressable, 413, 422); and every operation may answer
   * 401, 403 and 503.
   */
  errors?: number[];
}

export interface ApiRoute extends RouteDeclaration {
  method: 'get' | 'put' | 'post' | 'delete';
  /** Under /v1, written the OpenAPI way: `/accounts/{accountId}`. */
  path: string;
  serve: (req: Request, res: Response) => Promise<void>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler is given: the request's parts, each parsed with its declared schema (undefined if none). */
interface RouteInput<P, Q, H, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
}

/** Request input parsed at the edge; a mismatch is 422 `validation_failed` with the zod issues as details. */
function parseInput(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'params' | 'query' | 'headers'): unknown {
  const parsed = schema?.safeParse(value);
  if (parsed === undefined || parsed.success) return parsed?.data;
  throw new AppError(422, 'validation_failed', `The request ${where} is not valid.`, {
    // Only the path, code and message: zod's `input` could echo a secret back.
    details: parsed.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)], code: issue.code, message: issue.message })),
  });
}

export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  method: ApiRoute['method'],
  path: string,
  route: RouteDeclaration & { params?: P; query?: Q; headers?: H; body?: B; handle: (input: RouteInput<P, Q, H, B>, res: Response) => Promise<void> },
): ApiRoute {
  const { handle, ...declaration } = route;
  const headerNames = Object.keys(route.headers?.shape ?? {});
  return {
    ...declaration,
    method,
    path,
    serve: async (req, res) => {
      const input = {
        params: parseInput(route.params, req.params, 'params'),
        query: parseInput(route.query, req.query, 'query'),
        body: parseInput(route.body, req.body, 'body'),
        headers: parseInput(route.headers, Object.fromEntries(headerNames.map((name) => [name, req.get(name)])), 'headers'),
      };
      // Each part was parsed by the schema its type is inferred from.
      await handle(input as RouteInput<P, Q, H, B>, res);
    },
  };
}

const MAX_BODY = '16kb';

/** The express router serving `routes`: the key checked first, then the body read (only where one is taken). */
export function routerOf(routes: ApiRoute[], requireKey: (scope: KeyScope) => RequestHandler): Router {
  const router = Router();
  const readJson = express.json({ limit: MAX_BODY });
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    router[route.method](path, requireKey(route.auth), ...(route.body === undefined ? [] : [readJson]), route.serve);
  }
  return router;
}
