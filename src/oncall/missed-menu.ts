/**
 * The missed callers a sysadmin is offered, from the whole window, oldest first (they have
 * waited longest). Each account's oldest few only: twenty short calls from one account must
 * not stand between the sysadmin and another account's emergency. An account's later calls
 * are offered as its earlier ones are called back; until then the sysadmin hears how many wait.
 */
export const MISSED_PER_ACCOUNT = 3;

export function missedMenu<Call extends { accountId: string }>(oldestFirst: readonly Call[], perAccount = MISSED_PER_ACCOUNT): { offered: Call[]; heldBack: number } {
  const taken = new Map<string, number>();
  const offered: Call[] = [];
  let heldBack = 0;
  for (const call of oldestFirst) {
    const count = taken.get(call.accountId) ?? 0;
    if (count >= perAccount) {
      heldBack += 1;
      continue;
    }
    taken.set(call.accountId, count + 1);
    offered.push(call);
  }
  return { offered, heldBack };
}
