import type { DirectoryStore } from '../directory/directory-store.js';

/** A name read from the directory is shown for this long before it is read again (a rename shows within a minute). */
export const NAMES_FRESH_MS = 60_000;
// Far above the accounts and users a day of the console's panels name.
const MAX_NAMES = 5000;

export interface NameRef {
  accountId: string;
  userId?: string | undefined;
}

export interface Names {
  account(accountId: string): string | undefined;
  user(accountId: string, userId: string): string | undefined;
}

/**
 * Account and user names for the console's panels, which hold only ids (the audit stream, the
 * event outbox). Read through the directory's own functions, never its keys, so they follow
 * the directory wherever it is stored; every name missing or stale in one build is asked for
 * at once (ioredis sends the reads of one tick together), then kept for a minute, so the
 * reads depend on how many distinct people the panels show, not on how often they are built.
 */
export function createNameBook(deps: { directory: Pick<DirectoryStore, 'getAccount' | 'getMember'>; now: () => number }) {
  const { directory, now } = deps;
  // Key: accountId, or accountId + '\n' + userId. Null: looked up and not found.
  const known = new Map<string, { name: string | null; readAt: number }>();
  const keyOf = (ref: NameRef): string => (ref.userId === undefined ? ref.accountId : `${ref.accountId}\n${ref.userId}`);

  function keep(key: string, name: string | null, at: number): void {
    known.delete(key);
    known.set(key, { name, readAt: at });
    for (const oldest of known.keys()) {
      if (known.size <= MAX_NAMES) break;
      known.delete(oldest);
    }
  }

  async function read(ref: NameRef, at: number): Promise<void> {
    if (ref.userId === undefined) {
      const account = await directory.getAccount(ref.accountId);
      keep(ref.accountId, account?.name ?? null, at);
      return;
    }
    const { account, user } = await directory.getMember(ref.accountId, ref.userId);
    keep(ref.accountId, account?.name ?? null, at);
    keep(keyOf(ref), user?.name ?? null, at);
  }

  const nameOf = (key: string): string | undefined => known.get(key)?.name ?? undefined;

  return {
    /** The names of `refs`, reading only those not read within the last minute. */
    async lookUp(refs: NameRef[]): Promise<Names> {
      const at = now();
      const due = new Map<string, NameRef>();
      for (const ref of refs) {
        const seen = known.get(keyOf(ref));
        if (seen === undefined || at - seen.readAt >= NAMES_FRESH_MS) due.set(keyOf(ref), ref);
      }
      // A name that cannot be read now is shown as its id: the panels must not fail for it.
      await Promise.all([...due.values()].map((ref) => read(ref, at).catch(() => undefined)));
      return {
        account: (accountId) => nameOf(accountId),
        user: (accountId, userId) => nameOf(`${accountId}\n${userId}`),
      };
    },
  };
}

export type NameBook = ReturnType<typeof createNameBook>;
