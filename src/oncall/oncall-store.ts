import { ifMatchArg, preconditionFailed, type IfMatch } from '../directory/revisions.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { asNumber, defineScript } from '../redis/scripts.js';
import { oncallListSchema, type Sysadmin } from './oncall-schema.js';

// The escalation list, one JSON value, and its revision: with If-Match two operators never undo each other.
export function createOncallStore(redis: RedisClient) {
  const replaceOncall = defineScript(redis, new URL('./lua/replace-oncall-2.lua', import.meta.url), asNumber);
  // The pager reads the list at every tick and it rarely changes: the same JSON is parsed once.
  let parsed: { json: string; list: readonly Sysadmin[] } | undefined;
  function parseList(json: string | null): readonly Sysadmin[] {
    if (json === null) return [];
    if (parsed?.json !== json) parsed = { json, list: Object.freeze(oncallListSchema.parse(JSON.parse(json)).map((sysadmin) => Object.freeze(sysadmin))) };
    return parsed.list;
  }

  return {
    async list(): Promise<readonly Sysadmin[]> {
      return parseList(await withRedis(() => redis.get(keys.oncall)));
    },

    /** The list and the revision it is at (0 before it was ever set). */
    async read(): Promise<{ list: readonly Sysadmin[]; revision: number }> {
      const [json = null, revision = null] = await withRedis(() => redis.mget(keys.oncall, keys.oncallRevision));
      return { list: parseList(json), revision: Number(revision ?? 0) };
    },

    /** Replaces the list (412 when If-Match names another revision); returns the new revision. */
    async replace(list: Sysadmin[], ifMatch?: IfMatch): Promise<number> {
      const revision = await replaceOncall([keys.oncall, keys.oncallRevision], [JSON.stringify(list), ifMatchArg(ifMatch)]);
      if (revision === 0) throw preconditionFailed();
      return revision;
    },
  };
}

export type OncallStore = ReturnType<typeof createOncallStore>;
