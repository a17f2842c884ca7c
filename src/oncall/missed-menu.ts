/**
 * The missed callers a sysadmin is offered, from the whole window, oldest first (they have
 * waited longest). Each account's oldest few first: twenty short calls from one account must
 * not stand between the sysadmin and another account's emergency. An account's later calls
 * come after everyone's first few (still oldest first), so every open call can be reached even
 * when an account's first calls can never be closed (a number the line may not dial); the
 * sysadmin hears how many come after.
 */
export const MISSED_PER_ACCOUNT = 3;

export function missedMenu<Call extends { accountId: string }>(oldestFirst: readonly Call[], perAccount = MISSED_PER_ACCOUNT): { offered: Call[]; heldBack: number } {
  const taken = new Map<string, number>();
  const first: Call[] = [];
  const later: Call[] = [];
  for (const call of oldestFirst) {
    const count = taken.get(call.accountId) ?? 0;
    taken.set(call.accountId, count + 1);
    (count < perAccount ? first : later).push(call);
  }
  return { offered: [...first, ...later], heldBack: later.length };
}
