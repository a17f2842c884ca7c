import type { AnswerKind, Webhooks } from './outage-webhooks.js';
import { attribute, callEnds, callParams, dialIn, hex, inParallel, number, type Credentials, type givenAccounts } from './outage-line.js';

/**
 * The callers of the outage, held cheaply: each dials in as Twilio would bring them (the
 * answer, then what each <Gather> asks: the account code when the line asks for it, the PIN),
 * then only their wait URL is fetched, every WAIT_EVERY_MS as Twilio does when a wait document
 * ends; no simulated call runs. A caller who hangs up sends what Twilio sends then: the
 * <Enqueue> action (QueueResult=hangup) and the call's status callback.
 */
export const WAIT_EVERY_MS = 15_000;

export interface HeldCaller {
  callSid: string;
  from: string;
  accountId: string;
  userId: string;
  queueSid: string;
  enqueuedAt: number;
  waitUrl: string;
  actionUrl: string;
  /** Every answer of the wait URL, in order, and when the last came. */
  waits: AnswerKind[];
  lastWaitAt: number;
  hungUpAt?: number;
  /** When a sysadmin's <Dial><Queue> took them out of the queue. */
  bridgedAt?: number;
  /** What the bridge's webhooks were answered, by path, when they were sent. */
  bridge?: { path: string; kind: AnswerKind; at: number }[];
}

/** A verified caller dials in with their PIN: held if the line enqueued them (and their wait URL fetched once), else what they heard. */
export async function callWithPin(webhooks: Webhooks, accountSid: string, credentials: Credentials): Promise<HeldCaller | { callSid: string; from: string; heard: AnswerKind }> {
  const call = { callSid: `CA${hex(16)}`, from: number('+4479') };
  const answer = await dialIn(webhooks, accountSid, call, (prompt) => (prompt.includes('account code') ? credentials.accountCode : credentials.pin), 2);
  if (answer.kind !== 'enqueued') return { ...call, heard: answer.kind };
  const caller: HeldCaller = {
    ...call,
    accountId: credentials.accountId,
    userId: credentials.userId,
    queueSid: `QU${hex(16)}`,
    enqueuedAt: Date.now(),
    waitUrl: attribute(answer.body, 'Enqueue', 'waitUrl'),
    actionUrl: attribute(answer.body, 'Enqueue', 'action'),
    waits: [],
    lastWaitAt: 0,
  };
  if (caller.waitUrl === '' || caller.actionUrl === '') throw new Error('the <Enqueue> has no waitUrl or action');
  // Twilio fetches the wait URL as soon as the caller is enqueued.
  await fetchWait(webhooks, accountSid, caller);
  return caller;
}

/**
 * `perBatch` callers admitted at a time, their PINs issued just before: never more PINs live than
 * the policy's cap and the guess bound allow. A caller who hears the apology (a Redis reply later
 * than the webhook's budget, on a busy machine) hangs up and calls again, as a person would: the
 * call's end gives any PIN it leased back. Returns those calls too: none of them may stay held.
 */
export async function admitCallers(webhooks: Webhooks, accountSid: string, line: Awaited<ReturnType<typeof givenAccounts>>, perBatch: number) {
  const held: HeldCaller[] = [];
  const refused: { callSid: string; from: string; heard: AnswerKind }[] = [];
  for (let from = 0; from < line.users.length; from += perBatch) {
    const issued = await line.issuePins(line.users.slice(from, from + perBatch));
    await inParallel(issued, 16, async (credentials) => {
      for (let tries = 1; ; tries += 1) {
        const caller = await callWithPin(webhooks, accountSid, credentials);
        if ('waits' in caller) {
          held.push(caller);
          return;
        }
        refused.push(caller);
        await callEnds(webhooks, accountSid, caller, 10);
        if (caller.heard !== 'apology' || tries === 3) throw new Error(`a valid PIN was answered ${caller.heard}, ${String(tries)} times`);
      }
    });
  }
  return { held, refused };
}

/** One fetch of the caller's wait URL, with what Twilio sends it (https://www.twilio.com/docs/voice/twiml/enqueue#attributes-wait-url). */
export async function fetchWait(webhooks: Webhooks, accountSid: string, caller: HeldCaller): Promise<void> {
  const { kind } = await webhooks.send(caller.waitUrl, {
    ...callParams(accountSid, caller.callSid, caller.from),
    QueueSid: caller.queueSid,
    QueuePosition: '1',
    QueueTime: String(Math.round((Date.now() - caller.enqueuedAt) / 1000)),
    AvgQueueTime: '30',
    CurrentQueueSize: '1',
    MaxQueueSize: '100',
  });
  caller.waits.push(kind);
  caller.lastWaitAt = Date.now();
}

/** The caller hangs up while holding: the <Enqueue> action, then the status callback. */
export async function hangUp(webhooks: Webhooks, accountSid: string, caller: HeldCaller): Promise<void> {
  // Taken by a sysadmin just now: no longer on hold to hang up from.
  if (caller.bridgedAt !== undefined) return;
  caller.hungUpAt = Date.now();
  const queueTime = Math.round((Date.now() - caller.enqueuedAt) / 1000);
  await webhooks.send(caller.actionUrl, { ...callParams(accountSid, caller.callSid, caller.from, 'completed'), QueueSid: caller.queueSid, QueueResult: 'hangup', QueueTime: String(queueTime) });
  await callEnds(webhooks, accountSid, caller, queueTime + 20);
}

/** Fetches each caller's wait URL every WAIT_EVERY_MS, spread over that time, until stopped; callers may join. */
export function keepHolding(webhooks: Webhooks, accountSid: string, callers: HeldCaller[]) {
  const inFlight = new Set<Promise<void>>();
  const dueAt = new Map(callers.map((caller) => [caller, Date.now() + Math.random() * WAIT_EVERY_MS]));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [caller, at] of dueAt) {
      if (caller.hungUpAt !== undefined || caller.bridgedAt !== undefined) {
        dueAt.delete(caller);
        continue;
      }
      if (at > now) continue;
      dueAt.set(caller, at + WAIT_EVERY_MS);
      const fetch = fetchWait(webhooks, accountSid, caller).finally(() => inFlight.delete(fetch));
      inFlight.add(fetch);
    }
  }, 50);
  return {
    /** A caller enqueued just now (their first fetch done): fetched again one wait document later. */
    join: (caller: HeldCaller) => dueAt.set(caller, Date.now() + WAIT_EVERY_MS),
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}

