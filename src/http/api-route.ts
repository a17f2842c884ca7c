import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { CALL_SID } from '../caller-id.js';
import { idSchema } from '../directory/directory-schema.js';
import { AppError } from '../errors.js';
import type { KeyScope } from './bearer-auth.js';

/**
 * One /v1 route, declared once: express serves it, parsing its input with the declared zod
 * schemas, and the OpenAPI document (openapi.ts) describes it from the very same declaration.
 */
export interface ApiRoute {
  /** Whose key it takes: the control panel's or the operators'. */
  auth: KeyScope;
  method: 'get' | 'put' | 'post' | 'delete';
  /** Under /v1, written the OpenAPI way: `/accounts/{accountId}`. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The answers of success, as OpenAPI responses (see `json` and `versioned` in openapi.ts). */
  responses: Record<string, unknown>;
  /** The errors of this operation's own rules; openapi.ts adds those of reading the request. */
  errors?: number[];
  serve: (req: Request, res: Response) => Promise<void>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Every path parameter, parsed with the schema of its name wherever a path names it. */
const PATH_PARAMS = {
  accountId: idSchema,
  userId: idSchema,
  sysadminId: idSchema,
  callSid: z.string().regex(CALL_SID, "expected Twilio's CallSid"),
  eventId: z.uuid(),
};
type ParamName<Path> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamName<Rest> : never;
type PathParams<Path> = { [K in ParamName<Path> & keyof typeof PATH_PARAMS]: z.output<(typeof PATH_PARAMS)[K]> };

function paramsOf(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as keyof typeof PATH_PARAMS);
  return names.length === 0 ? undefined : z.object(Object.fromEntries(names.map((name) => [name, PATH_PARAMS[name]])));
}
type RouteInput<Path, Q, H, B> = { params: PathParams<Path>; query: Parsed<Q>; headers: Parsed<H>; body: Parsed<B> };

/** Request input parsed at the edge; a mismatch is 422 `validation_failed` with the zod issues as details. */
function parseInput(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'params' | 'query' | 'headers'): unknown {
  const parsed = schema?.safeParse(value);
  if (parsed === undefined || parsed.success) return parsed?.data;
  throw new AppError(422, 'validation_failed', `The request ${where} is not valid.`, {
    // Only the path, code and message: zod's `input` could echo a secret back.
    details: parsed.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)], code: issue.code, message: issue.message })),
  });
}

/** `handle` is given each part of the request parsed with its declared schema (undefined if none). */
export function defineRoute<
  Path extends string,
  Q extends z.ZodObject | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  auth: KeyScope,
  method: ApiRoute['method'],
  path: ParamName<Path> extends keyof typeof PATH_PARAMS ? Path : never,
  route: Omit<ApiRoute, 'auth' | 'method' | 'path' | 'params' | 'serve'> & { query?: Q; headers?: H; body?: B } & {
    handle: (input: RouteInput<Path, Q, H, B>, res: Response) => Promise<void>;
  },
): ApiRoute {
  const { handle, ...declaration } = route;
  const params = paramsOf(path);
  const headerNames = Object.keys(route.headers?.shape ?? {});
  return {
    ...declaration,
    auth,
    method,
    path,
    params,
    serve: async (req, res) => {
      const headers = Object.fromEntries(headerNames.map((name) => [name, req.get(name)]));
      const input = {
        params: parseInput(params, req.params, 'params'),
        query: parseInput(route.query, req.query, 'query'),
        body: parseInput(route.body, req.body, 'body'),
        headers: parseInput(route.headers, headers, 'headers'),
      };
      // Each part was parsed by the schema its type is inferred from.
      await handle(input as RouteInput<Path, Q, H, B>, res);
    },
  };
}

/** The express router serving `routes`: the key checked first, then the body read (only where one is taken). */
export function routerOf(routes: ApiRoute[], requireKey: (scope: KeyScope) => RequestHandler): Router {
  const router = Router();
  const readJson = express.json({ limit: '16kb' });
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    router[route.method](path, requireKey(route.auth), ...(route.body === undefined ? [] : [readJson]), route.serve);
  }
  return router;
}
