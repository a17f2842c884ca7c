import type { Response } from 'express';
import { z } from 'zod';
import type { IfMatch } from '../directory/revisions.js';

/**
 * Strong ETags naming a revision: `"a<rev>"` for an account, `"u<rev>"` for a user,
 * `"r<rev>"` for the on-call rota, so one kind's tag is never taken for another's.
 */
type Versioned = 'account' | 'user' | 'rota';

const PREFIX: Record<Versioned, string> = { account: 'a', user: 'u', rota: 'r' };

/** A JSON answer showing revision `rev` of a `kind`, named in its ETag. */
export function sendVersioned(res: Response, kind: Versioned, rev: number, body: unknown, status = 200): void {
  res.status(status).set('ETag', `"${PREFIX[kind]}${String(rev)}"`).json(body);
}

export const ifMatchHeader = z.object({
  'If-Match': z
    .string()
    .max(1024)
    .optional()
    .meta({
      description:
        'Apply the PUT only if the resource is still at this ETag (or `*`: only if it exists); else 412 precondition_failed.',
    }),
});

/** The ETag response header, as the OpenAPI document describes it. */
export const etagHeader = {
  description: 'The version shown; send it back in If-Match to update only that version.',
  schema: { type: 'string', example: '"u42"' },
};

/**
 * The If-Match header as a condition (RFC 9110 §13.1.1): `*`, or the revisions of the strong tags
 * of this kind it lists. A weak or foreign tag matches nothing, as the RFC says it must.
 */
export function ifMatchOf(kind: Versioned, value: string | undefined): IfMatch {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  const pattern = new RegExp(`^"${PREFIX[kind]}(\\d{1,15})"$`);
  return value
    .split(',')
    .map((tag) => pattern.exec(tag.trim())?.[1])
    .filter((rev): rev is string => rev !== undefined)
    .map(Number);
}
