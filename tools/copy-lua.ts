import { cp, stat } from 'node:fs/promises';

/**
 * `npm run build`'s last step: every Lua script beside its compiled feature (src/x/lua/*.lua
 * to dist/x/lua/*.lua), where src/redis/scripts.ts looks for it relative to the module.
 */
const source = new URL('../src/', import.meta.url);
const target = new URL('../dist/', import.meta.url);

await cp(source, target, { recursive: true, filter: async (path) => path.endsWith('.lua') || (await stat(path)).isDirectory() });
process.stdout.write(`Lua scripts copied into ${target.pathname}\n`);
