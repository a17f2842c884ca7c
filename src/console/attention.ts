import type { GuessStanding } from '../policy/guess-bound.js';
import type { Clock } from '../clock.js';
import type { DeadLetter, DeadLetters } from '../events/dead-letters.js';
import type { MissedCall, MissedCallers } from '../oncall/missed-callers.js';
import type { OncallStore } from '../oncall/oncall-store.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Attention, DeadLetterView, GuessingView, MissedCallView } from './attention-schema.js';
import type { DirectoryStore, Names } from '../directory/directory-store.js';
import { iso, namesOf, refsOf } from './recent-calls.js';

// A screenful and more of each; the dead letters' total says how many more are kept.
const SHOWN_MISSED = 100;
const SHOWN_DEAD_LETTERS = 50;
const audioPath = (callSid: string): string => `/v1/ops/missed-calls/${encodeURIComponent(callSid)}/voicemail`;

export interface AttentionDeps {
  missed: Pick<MissedCallers, 'open'>;
  deadLetters: Pick<DeadLetters, 'list'>;
  standing: () => Promise<GuessStanding>;
  oncall: Pick<OncallStore, 'list'>;
  names: DirectoryStore['names'];
  policy: Policy;
  clock: Clock;
}

const field = (data: object, name: string): string | null => {
  const value: unknown = (data as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
};

function missedView(call: MissedCall, names: Names, rota: Map<string, string>): MissedCallView {
  const { callback, voicemail } = call;
  return {
    callSid: call.callSid,
    accountId: call.accountId,
    accountName: names.account(call.accountId) ?? call.accountName,
    userId: call.userId,
    userName: names.user(call.accountId, call.userId) ?? call.userName,
    at: iso(call.at),
    waitSeconds: call.waitSeconds,
    reason: call.reason,
    voicemail: voicemail === undefined ? null : { seconds: voicemail.seconds, audio: audioPath(call.callSid) },
    callback:
      callback === undefined
        ? null
        : { sysadminId: callback.sysadminId, sysadminName: rota.get(callback.sysadminId) ?? null, since: iso(callback.at), state: callback.state },
  };
}

function deadLetterView(letter: DeadLetter, names: Names, rota: Map<string, string>): DeadLetterView {
  const { event } = letter;
  const accountId = field(event.data, 'accountId');
  const userId = field(event.data, 'userId');
  const sysadminId = field(event.data, 'sysadminId');
  const named = namesOf(names, accountId, userId);
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    deadAt: letter.deadAt,
    attempts: letter.attempts,
    lastResult: letter.lastResult,
    about: {
      accountId,
      accountName: named.accountName,
      userId,
      userName: named.userName,
      sysadminId,
      sysadminName: sysadminId === null ? null : (rota.get(sysadminId) ?? null),
      callerNumber: field(event.data, 'callerNumber'),
    },
  };
}

function guessingView(standing: GuessStanding, policy: Policy): GuessingView {
  return {
    bound: policy.line.guessBound,
    windowHours: policy.line.guessWindowHours,
    livePins: standing.livePins,
    guesses: standing.guesses,
    probability: standing.probability,
    guessesLeft: Number.isFinite(standing.guessesLeft) ? standing.guessesLeft : null,
    accountCodesAsked: standing.guessesLeft <= 0,
  };
}

/** Builds what needs a human, named from the directory and the rota: one round of reads, then one of names. */
export function createAttentionBuilder(deps: AttentionDeps) {
  const { missed, deadLetters, oncall, names, policy, clock } = deps;

  return async (): Promise<Attention> => {
    const now = clock.now();
    const [missedCalls, letters, standing, rotaList] = await Promise.all([
      missed.open(now, { calledBackToo: true }),
      deadLetters.list(SHOWN_DEAD_LETTERS),
      // The panel shows the rest when the standing cannot be read (it is for /metrics first).
      deps.standing().catch(() => null),
      oncall.list(),
    ]);
    // `open` keeps to the missed callers' window, policy voicemail.missedForHours (as app.ts builds them).
    const newest = missedCalls.slice(-SHOWN_MISSED).reverse();
    const known = await names([
      ...newest.map(({ accountId, userId }) => ({ accountId, userId })),
      ...letters.deadLetters.flatMap(({ event: { data } }) => refsOf(field(data, 'accountId'), field(data, 'userId'))),
    ]);
    const rota = new Map(rotaList.map((s) => [s.id, s.name]));
    return {
      at: iso(now),
      missed: { windowHours: policy.voicemail.missedForHours, calls: newest.map((call) => missedView(call, known, rota)) },
      deadLetters: { total: letters.total, letters: letters.deadLetters.map((letter) => deadLetterView(letter, known, rota)) },
      guessing: standing === null ? null : guessingView(standing, policy),
    };
  };
}
