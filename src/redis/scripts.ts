import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './connect-redis.js';
import { withRedis } from './redis-errors.js';

/**
 * The one way callgate runs Lua. Each atomic command is a file beside the feature that owns
 * it, `<feature>/lua/<name>-<numKeys>.lua` (BullMQ's shape), its header saying KEYS, ARGV and
 * the reply. A line `--- @include "includes/<name>"` pulls in shared code: looked up first in
 * the including file's own folder (a feature's own includes), then in this folder's `lua/`
 * (code every feature shares, such as the deadline guard). Each include enters a script once,
 * however many files ask for it. The .lua files ship beside the compiled code (tools/copy-lua.ts),
 * so the same relative URL finds them under src/ (tsx) and dist/ (node).
 */
const SHARED = fileURLToPath(new URL('./lua/', import.meta.url));
const INCLUDE = /^--- @include "([^"]+)"\s*$/gm;

/** Turns a script's raw reply into what the feature works with; throws on a reply it does not know. */
export type Decoder<T> = (reply: unknown) => T;

/** Runs one script: its keys (one hash tag) and its arguments. */
export type Script<T> = (keys: readonly string[], args: readonly (string | number)[]) => Promise<T>;

type Invoke = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

const sources = new Map<string, string>();

function resolveIncludes(path: string, seen: Set<string>): string {
  return readFileSync(path, 'utf8').replace(INCLUDE, (_line, name: string) => {
    const local = join(dirname(path), `${name}.lua`);
    const file = existsSync(local) ? local : join(SHARED, `${name}.lua`);
    if (seen.has(file)) return '';
    seen.add(file);
    return resolveIncludes(file, seen);
  });
}

/** A script's text with its includes resolved, read once per process. */
export function scriptSource(file: URL): string {
  const path = fileURLToPath(file);
  let source = sources.get(path);
  if (source === undefined) {
    source = resolveIncludes(path, new Set([path]));
    sources.set(path, source);
  }
  return source;
}

/**
 * Registers `file` on `redis` (ioredis `defineCommand`: EVALSHA, falling back to EVAL once)
 * and returns it as a typed function. The number of keys comes from the file's name.
 */
export function defineScript<T>(redis: RedisClient, file: URL, decode: Decoder<T>): Script<T> {
  const path = fileURLToPath(file);
  const match = /^(.+)-(\d+)\.lua$/.exec(basename(path));
  if (match === null) throw new Error(`script file must be named <name>-<numKeys>.lua: ${path}`);
  const [, name = '', numberOfKeys = '0'] = match;
  const command = `${basename(dirname(dirname(path)))}:${name}`;
  redis.defineCommand(command, { numberOfKeys: Number(numberOfKeys), lua: scriptSource(file) });
  const invoke = (redis as unknown as Record<string, Invoke>)[command];
  if (invoke === undefined) throw new Error(`ioredis did not define ${command}`);
  return async (keys, args) => decode(await withRedis(() => invoke.call(redis, ...keys, ...args)));
}

/** Decoders for the replies most scripts give. */
export const asFlag: Decoder<boolean> = (reply) => Number(reply) === 1;
export const asNumber: Decoder<number> = (reply) => Number(reply);
export const asUnknown: Decoder<unknown> = (reply) => reply;
