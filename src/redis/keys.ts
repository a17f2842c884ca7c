/**
 * Every key callgate writes. Keys used together in one operation share a `{hash tag}`, so each runs
 * unchanged on Redis Cluster: `{line}` holds the whole call path (docs/architecture.md "Call path
 * atomicity"), `{a:<accountId>}` an account's call history, `{audit}` and `{oncall}` their own.
 */
export const keys = {
  // In the call path's slot: the PIN step reads the caller's facts, and a change revokes PINs, in one script.
  directoryAccounts: 'callgate:{line}:dir:accounts',
  directoryUsers: 'callgate:{line}:dir:users',
  directoryUserIndex: 'callgate:{line}:dir:user-index',
  pinsByHash: 'callgate:{line}:pins:by-hash',
  pinsByOwner: 'callgate:{line}:pins:by-owner',
  pinExpiry: 'callgate:{line}:pins:expiry',
  pinIssues: (owner: string) => `callgate:{line}:pins:issued:${owner}`,
  call: (callSid: string) => `callgate:{line}:call:${callSid}`,
  // The guess gate checks and counts a guess in one script with the PIN index.
  pinsLiveByCode: 'callgate:{line}:pins:live-by-code',
  // Each owner's PIN leased to a call until its caller's first wait-URL fetch confirms it.
  pinsConsumed: 'callgate:{line}:pins:consumed',
  pinsConsumedUntil: 'callgate:{line}:pins:consumed-until',
  guessSpend: 'callgate:{line}:pins:guess-spend',
  // Each account's current code and every code ever drawn (never reused): src/pins/pin-store.ts.
  accountCodes: 'callgate:{line}:pins:account-codes',
  callerFailures: (number: string) => `callgate:{line}:pins:caller:${number}:failures`,
  callerLockout: (number: string) => `callgate:{line}:pins:caller:${number}:lockout`,
  lineFailures: (minute: number) => `callgate:{line}:pins:line-failures:${String(minute)}`,
  auditEvents: 'callgate:{audit}:events',
  oncall: 'callgate:{oncall}:list',
  // Goes up with every change of the list, for its ETag; never reset.
  oncallRevision: 'callgate:{oncall}:revision',
  oncallPins: 'callgate:{oncall}:pins',
  oncallPinFailureTimes: (sysadminId: string) => `callgate:{oncall}:pin-failure-times:${sysadminId}`,
  // The sysadmin side: verified callers waiting for a sysadmin, their paging chains, and who is busy.
  waitingOrder: 'callgate:{line}:queue:waiting',
  waitingCallers: 'callgate:{line}:queue:callers',
  pagingChains: 'callgate:{line}:queue:chains',
  reservations: 'callgate:{line}:queue:reservations',
  pagerDue: 'callgate:{line}:queue:due',
  waitingSeen: 'callgate:{line}:queue:seen',
  busySysadmins: 'callgate:{line}:queue:busy',
  agentCall: (callSid: string) => `callgate:{line}:queue:agent-call:${callSid}`,
  // A caller between the <Queue> url and Twilio's report of the bridge (src/oncall/bridge-books.ts).
  bridging: (callSid: string) => `callgate:{line}:queue:bridging:${callSid}`,
  // Bridging callers whose call ended before either report came, by when (src/oncall/bridge-books.ts).
  bridgesEnded: 'callgate:{line}:queue:bridges-ended',
  queuesToDelete: 'callgate:{line}:queue:queues-to-delete',
  accountCalls: (accountId: string) => `callgate:{a:${accountId}}:calls`,
} as const;

/** A user as the PIN index and the directory's users hash name them: "<accountId>/<userId>" (ids never hold "/"). */
export const ownerKey = (owner: { accountId: string; userId: string }): string => `${owner.accountId}/${owner.userId}`;

/** The keys every PIN script starts with, in their order (src/pins/pin-store.ts, src/pins/lua/). */
export const PIN_KEYS = [
  keys.pinsByHash,
  keys.pinsByOwner,
  keys.pinExpiry,
  keys.pinsLiveByCode,
  keys.pinsConsumed,
  keys.pinsConsumedUntil,
] as const;
