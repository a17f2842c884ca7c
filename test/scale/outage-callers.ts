import { randomBytes } from 'node:crypto';
import { apiClient } from '../../tools/local-stack.js';
import type { AnswerKind, Webhooks } from './outage-webhooks.js';

/**
 * The callers of the outage, held cheaply: each dials in as Twilio would bring them (the
 * answer, then what each <Gather> asks: the account code when the line asks for it, the PIN),
 * then only their wait URL is fetched, every WAIT_EVERY_MS as Twilio does when a wait document
 * ends; no simulated call runs. A caller who hangs up sends what Twilio sends then: the
 * <Enqueue> action (QueueResult=hangup) and the call's status callback. The flood is wrong
 * digits from many numbers, typed into whatever the line asks.
 */
export const WAIT_EVERY_MS = 15_000;
export const SUPPORT_NUMBER = '+442070000000';

export interface Credentials {
  accountId: string;
  userId: string;
  pin: string;
  accountCode: string;
}

export interface HeldCaller {
  callSid: string;
  from: string;
  accountId: string;
  userId: string;
  queueSid: string;
  enqueuedAt: number;
  waitUrl: string;
  actionUrl: string;
  /** Every answer of the wait URL, in order. */
  waits: AnswerKind[];
  hungUpAt?: number;
  /** When a sysadmin's <Dial><Queue> took them out of the queue. */
  bridgedAt?: number;
  /** What the bridge's webhooks were answered, by path, when they were sent. */
  bridge?: { path: string; kind: AnswerKind; at: number }[];
}

/**
 * Every PIN issued here. They are not given to the shared leak watch, which looks for a secret
 * anywhere in a line: with 2,000 PINs of 8 digits and thousands of log lines each carrying a
 * 13-digit timestamp, some PIN is inside some timestamp by chance (about 6 × 2,000 / 10^8 a
 * line). `pinsIn` looks for them as whole numbers instead.
 */
const issuedPins = new Set<string>();

/** The PINs issued here that appear, as a whole number, in `lines`; masked, so a failure does not print them. */
export function pinsIn(lines: string[]): string[] {
  return lines.filter((line) => (line.match(/\d+/g) ?? []).some((digits) => issuedPins.has(digits))).map((line) => line.replace(/\d{6,}/g, '<digits>'));
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const number = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

export function callParams(accountSid: string, callSid: string, from: string, status = 'in-progress'): Record<string, string> {
  return { CallSid: callSid, AccountSid: accountSid, From: from, To: SUPPORT_NUMBER, Caller: from, Called: SUPPORT_NUMBER, CallStatus: status, Direction: 'inbound', ApiVersion: '2010-04-01' };
}

/** Runs `work` over `items` with `concurrency` at once. */
export async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

const attribute = (xml: string, tag: string, name: string): string => new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1]?.replaceAll('&amp;', '&') ?? '';

/**
 * A call from `from`: the answer, then digits typed into each <Gather> (at most `entries` of
 * them), posted to the Gather's action as Twilio does; returns the last answer.
 */
async function dialIn(webhooks: Webhooks, accountSid: string, call: { callSid: string; from: string }, digitsFor: (prompt: string) => string, entries: number) {
  let answer = await webhooks.send('/twilio/voice', callParams(accountSid, call.callSid, call.from, 'ringing'));
  for (let typed = 0; typed < entries; typed += 1) {
    const action = attribute(answer.body, 'Gather', 'action');
    if (action === '') break;
    answer = await webhooks.send(action, { ...callParams(accountSid, call.callSid, call.from), Digits: digitsFor(answer.body) });
  }
  return answer;
}

/** Accounts of users with Manage Support, through the control panel's API; returns a PIN issuer. */
export async function givenAccounts(options: { baseUrl: string; controlPanelKey: string; accounts: number; usersPerAccount: number }) {
  const panel = apiClient(options.baseUrl, options.controlPanelKey);
  const accountIds = Array.from({ length: options.accounts }, (_, a) => `outage-${String(a)}`);
  for (const accountId of accountIds) {
    const put = await panel('PUT', `/v1/accounts/${accountId}`, { name: `Hosting ${accountId}`, sla: 'standard' });
    if (put.status >= 300) throw new Error(`PUT account answered ${String(put.status)}`);
  }
  // Accounts taking turns, so that any run of users spreads its live PINs over every account.
  const users: { accountId: string; userId: string }[] = [];
  for (let u = 0; u < options.usersPerAccount; u += 1) for (const accountId of accountIds) users.push({ accountId, userId: `u${String(u)}` });
  await inParallel(users, 16, async ({ accountId, userId }) => {
    const put = await panel('PUT', `/v1/accounts/${accountId}/users/${userId}`, { name: `Caller ${userId} of ${accountId}`, permissions: ['manage_support'] });
    if (put.status >= 300) throw new Error(`PUT user answered ${String(put.status)}`);
  });
  const issuePins = async (some: typeof users): Promise<Credentials[]> => {
    const issued: Credentials[] = [];
    await inParallel(some, 16, async ({ accountId, userId }) => {
      const { status, body } = await panel('POST', `/v1/accounts/${accountId}/users/${userId}/pin`);
      if (status !== 201) throw new Error(`POST pin answered ${String(status)}: ${JSON.stringify(body)}`);
      const { pin, accountCode } = body as { pin: string; accountCode: string };
      issuedPins.add(pin);
      issued.push({ accountId, userId, pin, accountCode });
    });
    return issued;
  };
  return { users, issuePins };
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
}

/** The call ends: its status callback (https://www.twilio.com/docs/voice/api/call-resource, StatusCallback). */
export async function callEnds(webhooks: Webhooks, accountSid: string, call: { callSid: string; from: string }, seconds: number): Promise<void> {
  await webhooks.send('/twilio/status', { ...callParams(accountSid, call.callSid, call.from, 'completed'), CallDuration: String(seconds) });
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

/** Starts `work` every `everyMs` until stopped; stop waits for what was started. */
export function every(everyMs: number, work: () => Promise<void>): { stop(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = work().finally(() => inFlight.delete(started));
    inFlight.add(started);
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * Wrong PINs at about `perSecond` from numbers that each make `callsPerNumber` calls (enough to be
 * locked out) before a new number takes over: each flood call types up to three wrong entries
 * into whatever the line asks, then hangs up (its status callback); a new call starts whenever
 * the entries typed and still to come fall behind the rate, at most three calls for every two
 * entries due (the line alarm cuts every call to one attempt; a locked-out number types none). Counts how each call ended, by kind, and
 * which numbers heard they were locked out.
 */
export function flood(webhooks: Webhooks, accountSid: string, options: { perSecond: number; numbersAtOnce: number; callsPerNumber: number }) {
  const ended = new Map<AnswerKind, number>();
  const lockedOut = new Set<string>();
  const entries = 3;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const numbers = Array.from({ length: options.numbersAtOnce }, () => ({ from: number('+4478'), calls: 0 }));
  let [typed, calls] = [0, 0];
  const call = async () => {
    calls += 1;
    const slot = Math.floor(Math.random() * numbers.length);
    const caller = numbers[slot] ?? { from: '', calls: 0 };
    caller.calls += 1;
    if (caller.calls >= options.callsPerNumber) numbers[slot] = { from: number('+4478'), calls: 0 };
    const sid = { callSid: `CA${hex(16)}`, from: caller.from };
    const last = await dialIn(webhooks, accountSid, sid, (prompt) => {
      if (prompt.includes('Too many incorrect PINs')) lockedOut.add(caller.from);
      typed += 1;
      return String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    }, entries);
    if (last.kind === 'locked out') lockedOut.add(caller.from);
    ended.set(last.kind, (ended.get(last.kind) ?? 0) + 1);
    await callEnds(webhooks, accountSid, sid, 20);
  };
  const timer = setInterval(() => {
    // Calls in flight may each type up to `entries` more: counted as if they will. A line that
    // answers without asking anything (the apology, a lockout) is not called faster for it.
    const due = ((Date.now() - started) / 1000) * options.perSecond;
    while (typed + entries * inFlight.size < due && calls < 1.5 * due) {
      const one = call().finally(() => inFlight.delete(one));
      inFlight.add(one);
    }
  }, 20);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { ended, lockedOut, perSecond: typed / ((Date.now() - started) / 1000) };
    },
  };
}
