/**
 * Every key callgate writes. Keys used together in one operation share one
 * `{hash tag}` so each operation runs unchanged on Redis Cluster:
 * - `{a:<accountId>}`: an account and its users;
 * - `{pins}`: every live PIN. PINs are looked up by value alone (the caller
 *   only types digits), so their index cannot be split by account. It is small:
 *   at most one live PIN per user, each a few dozen bytes.
 * - `{c:<CallSid>}`: one call's state; `{n:<caller number>}`: that number's
 *   failed PINs; `{line}`: line-wide failure counts; `{audit}`: the audit stream;
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
  callerFailures: (number: string) => `callgate:{n:${number}}:failures`,
  callerLockout: (number: string) => `callgate:{n:${number}}:lockout`,
  lineFailures: (minute: number) => `callgate:{line}:failures:${String(minute)}`,
  auditEvents: 'callgate:{audit}:events',
  oncall: 'callgate:{oncall}:list',
  waitingOrder: 'callgate:{queue}:waiting',
  waitingCallers: 'callgate:{queue}:callers',
  busySysadmins: 'callgate:{queue}:busy',
  pagerLock: 'callgate:{queue}:pager-lock',
  accountCalls: (accountId: string) => `${accountTag(accountId)}:calls`,
} as const;
