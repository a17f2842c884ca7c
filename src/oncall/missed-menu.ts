// Each account's oldest few first, so one account's twenty calls never stand before another's emergency;
// its later calls come after everyone's first few, so every open call can still be reached.
const PER_ACCOUNT = 3;

export function missedMenu<Call extends { accountId: string }>(oldestFirst: readonly Call[]) {
  const taken = new Map<string, number>();
  const first: Call[] = [];
  const later: Call[] = [];
  for (const call of oldestFirst) {
    const count = taken.get(call.accountId) ?? 0;
    taken.set(call.accountId, count + 1);
    (count < PER_ACCOUNT ? first : later).push(call);
  }
  return { offered: [...first, ...later], heldBack: later.length };
}
