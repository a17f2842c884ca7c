import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** Who a bearer key belongs to: the control panel, or the operators (on-call rota). */
export type KeyScope = 'controlPanel' | 'ops';

// Hashing first gives equal-length inputs for timingSafeEqual, whatever the key lengths.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares against every key of every scope, without stopping early, so timing tells nothing. */
function scopeOf(presented: string, keys: Record<KeyScope, string[]>): KeyScope | undefined {
  const wanted = digest(presented);
  let found: KeyScope | undefined;
  for (const scope of ['controlPanel', 'ops'] as const) {
    for (const key of keys[scope]) {
      if (timingSafeEqual(wanted, digest(key))) found = scope;
    }
  }
  return found;
}

function blockListOf(cidrs: string[] | undefined): BlockList | undefined {
  if (cidrs === undefined) return undefined;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is checked as `10.0.0.1`. */
function allows(list: BlockList, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return v4 !== undefined ? list.check(v4, 'ipv4') : list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}

/**
 * Middleware admitting only requests with a key of `scope`, from the networks that scope's keys
 * may be used from (undefined: anywhere).
 */
export function createKeyCheck(keys: Record<KeyScope, string[]>, allowedCidrs: Record<KeyScope, string[] | undefined>) {
  const networks = { controlPanel: blockListOf(allowedCidrs.controlPanel), ops: blockListOf(allowedCidrs.ops) };

  return (scope: KeyScope): RequestHandler =>
    (req, res, next) => {
      const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
      const presented = match?.[1] === undefined ? undefined : scopeOf(match[1], keys);
      if (presented === undefined) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new AppError(401, 'unauthorized', 'A valid API key is required: Authorization: Bearer <key>.');
      }
      if (presented !== scope) throw new AppError(403, 'forbidden', 'This API key may not use this endpoint.');
      const network = networks[scope];
      if (network !== undefined && !allows(network, req.ip)) {
        throw new AppError(403, 'forbidden', 'This API key may not be used from this network.');
      }
      next();
    };
}
