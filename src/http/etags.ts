import type { IfMatch } from '../directory/revisions.js';

/**
 * Strong ETags naming a directory revision: `"a<rev>"` for an account, `"u<rev>"`
 * for a user, so one kind's tag is never taken for the other's.
 */
export type Versioned = 'account' | 'user';

const PREFIX: Record<Versioned, string> = { account: 'a', user: 'u' };

export const etagOf = (kind: Versioned, rev: number): string => `"${PREFIX[kind]}${String(rev)}"`;

/**
 * The If-Match header as a condition (RFC 9110 §13.1.1): `*`, or the revisions of
 * the strong tags of this kind it lists. A weak or foreign tag matches nothing,
 * so a header that lists only those always fails, as the RFC says it must.
 */
export function ifMatchOf(kind: Versioned, header: string | undefined): IfMatch {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const pattern = new RegExp(`^"${PREFIX[kind]}(\\d{1,15})"$`);
  return header
    .split(',')
    .map((tag) => pattern.exec(tag.trim())?.[1])
    .filter((rev): rev is string => rev !== undefined)
    .map(Number);
}
