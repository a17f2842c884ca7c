import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from '../errors.js';
import type { RedisClient } from './connect-redis.js';
import { isLate } from './deadline.js';
import { withRedis } from './redis-errors.js';

/**
 * Runs the Lua files `<feature>/lua/<name>-<numKeys>.lua` (docs/architecture.md). `--- @include "includes/x"`
 * is looked up from the including file's `lua/` folder, else src/redis/lua/, and enters a script once.
 * The .lua files ship beside the compiled code (tools/copy-lua.ts): one relative URL serves tsx and node.
 */
const SHARED = fileURLToPath(new URL('./lua/', import.meta.url));
const INCLUDE = /^--- @include "([^"]+)"\s*$/gm;

/** Turns a script's raw reply into what the feature works with; throws on a reply it does not know. */
export type Decoder<T> = (reply: unknown) => T;

type Args = readonly (string | number)[];
type Invoke = (...keysAndArgs: Args) => Promise<unknown>;

const sources = new Map<string, string>();

// The `lua/` folder a file belongs to: its own, or its parent for a file in `lua/includes/`.
const luaFolder = (path: string): string => (basename(dirname(path)) === 'includes' ? dirname(dirname(path)) : dirname(path));

function resolveIncludes(path: string, seen: Set<string>): string {
  return readFileSync(path, 'utf8').replace(INCLUDE, (_line, name: string) => {
    const file = [join(luaFolder(path), `${name}.lua`), join(SHARED, `${name}.lua`)].find((candidate) => existsSync(candidate));
    if (file === undefined) throw new Error(`${path} includes "${name}", found neither beside it nor in src/redis/lua/`);
    if (seen.has(file)) return '';
    seen.add(file);
    return resolveIncludes(file, seen);
  });
}

type ScriptConstants = Record<string, Record<string, string | number>>;

// Strings as Lua literals: printable ASCII as is, anything else as a decimal byte escape.
const luaString = (value: string): string =>
  `'${[...Buffer.from(value, 'utf8')].map((byte) => (byte >= 32 && byte < 127 && byte !== 39 && byte !== 92 ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`)).join('')}'`;

function luaTable(table: Record<string, string | number>): string {
  const fields = Object.entries(table).map(([name, value]) => {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`script constant ${name} must be finite`);
    return `[${luaString(name)}] = ${typeof value === 'number' ? String(value) : luaString(value)}`;
  });
  return `{${fields.join(', ')}}`;
}

/**
 * Registers `file` (ioredis `defineCommand`) as a typed function; its name gives the number of keys.
 * `constants` become `local NAME = {...}` lines before the script: a policy's limits, written in once.
 */
export function defineScript<T>(redis: RedisClient, file: URL, decode: Decoder<T>, constants: ScriptConstants = {}) {
  const path = fileURLToPath(file);
  const match = /^(.+)-(\d+)\.lua$/.exec(basename(path));
  if (match === null) throw new Error(`script file must be named <name>-<numKeys>.lua: ${path}`);
  const [, name = '', keyCount = '0'] = match;
  const numberOfKeys = Number(keyCount);
  const command = `${basename(dirname(dirname(path)))}:${name}`;
  const preamble = Object.entries(constants).map(([table, fields]) => `local ${table} = ${luaTable(fields)}\n`);
  // Read and resolved once per process.
  const source = sources.get(path) ?? resolveIncludes(path, new Set([path]));
  sources.set(path, source);
  redis.defineCommand(command, { numberOfKeys, lua: preamble.join('') + source });
  // ioredis adds the command as a method of that name; no typings. Runs it: its keys (one hash tag), its arguments.
  return async (keys: readonly string[], args: Args): Promise<T> => {
    if (keys.length !== numberOfKeys) throw new Error(`${command} takes ${keyCount} keys, not ${String(keys.length)}`);
    const invoke = (redis as unknown as Record<string, Invoke | undefined>)[command];
    if (invoke === undefined) throw new Error(`ioredis did not define ${command}`);
    return decode(await withRedis(() => invoke.call(redis, ...keys, ...args)));
  };
}

/** Decoders for the replies most scripts give. */
export const asFlag: Decoder<boolean> = (reply) => Number(reply) === 1;
export const asNumber: Decoder<number> = (reply) => Number(reply);
export const asUnknown: Decoder<unknown> = (reply) => reply;
/** A tagged reply {tag, values...}; {'late'} (the deadline guard did nothing) is the line being down. */
export const asTagged: Decoder<unknown[]> = (reply) => {
  if (isLate(reply)) throw new UnavailableError('script ran after its deadline');
  if (!Array.isArray(reply)) throw new Error('a script gave an untagged reply');
  return reply as unknown[];
};
