/**
 * Every key callgate writes. Keys used together in one operation share one
 * `{hash tag}` so each operation runs unchanged on Redis Cluster:
 * - `{a:<accountId>}`: an account and its users;
 * - `{pins}`: every live PIN. PINs are looked up by value alone (the caller
 *   only types digits), so their index cannot be split by account. It is small:
 *   at most one live PIN per user, each a few dozen bytes.
 * - `{c:<CallSid>}`: one call's state; a caller number's failed PINs and the
 *   line-wide guess counts live under `{pins}` with the index they guard, so a
 *   guess is checked and counted in one script; `{audit}`: the audit stream;
 *   `{oncall}`: the escalation list; `{queue}`: waiting callers and paging state.
 */
const accountTag = (accountId: string): string => `callgate:{a:${accountId}}`;

export const keys = {
  account: (accountId: string) => `${accountTag(accountId)}:account`,
  users: (accountId: string) => `${accountTag(accountId)}:users`,
  userIndex: (accountId: string) => `${accountTag(accountId)}:user-index`,
  pinsByHash: 'callgate:{pins}:by-hash',
  pinsByOwner: 'callgate:{pins}:by-owner',
  pinExpiry: 'callgate:{pins}:expiry',
  pinIssues: (owner: string) => `callgate:{pins}:issued:${owner}`,
  call: (callSid: string) => `callgate:{c:${callSid}}`,
  // The guess gate checks and counts a guess in one script with the PIN index, so its keys share `{pins}`.
  pinsLiveByCode: 'callgate:{pins}:live-by-code',
  pinConsumed: (owner: string) => `callgate:{pins}:consumed:${owner}`,
  guessSpend: 'callgate:{pins}:guess-spend',
  callerFailures: (number: string) => `callgate:{pins}:caller:${number}:failures`,
  callerLockout: (number: string) => `callgate:{pins}:caller:${number}:lockout`,
  lineFailures: (minute: number) => `callgate:{pins}:line-failures:${String(minute)}`,
  auditEvents: 'callgate:{audit}:events',
  oncall: 'callgate:{oncall}:list',
  oncallPins: 'callgate:{oncall}:pins',
  oncallPinFailures: (sysadminId: string) => `callgate:{oncall}:pin-failures:${sysadminId}`,
  oncallPinLockout: (sysadminId: string) => `callgate:{oncall}:pin-lockout:${sysadminId}`,
  // The sysadmin side: verified callers waiting for a sysadmin, their paging chains, and who is busy.
  waitingOrder: 'callgate:{queue}:waiting',
  waitingCallers: 'callgate:{queue}:callers',
  pagingChains: 'callgate:{queue}:chains',
  reservations: 'callgate:{queue}:reservations',
  pagerDue: 'callgate:{queue}:due',
  waitingSeen: 'callgate:{queue}:seen',
  busySysadmins: 'callgate:{queue}:busy',
  agentCall: (callSid: string) => `callgate:{queue}:agent-call:${callSid}`,
  queuesToDelete: 'callgate:{queue}:queues-to-delete',
  accountCalls: (accountId: string) => `${accountTag(accountId)}:calls`,
} as const;
