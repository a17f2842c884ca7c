import { randomBytes } from 'node:crypto';
import { apiClient } from '../../tools/local-stack.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import type { AnswerKind, Webhooks } from './outage-webhooks.js';

/**
 * The callers of the outage, held cheaply: each is brought in as Twilio would (the answer, a
 * valid PIN, the first fetch of the wait URL), then only their wait URL is fetched, every
 * WAIT_EVERY_MS as Twilio does when a wait document ends; no simulated call runs. A caller
 * who hangs up sends what Twilio sends then: the <Enqueue> action (QueueResult=hangup) and
 * the call's status callback. The flood is wrong PINs from many numbers.
 */
export const WAIT_EVERY_MS = 15_000;
export const SUPPORT_NUMBER = '+442070000000';

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
 * Accounts of `usersPerAccount` users with Manage Support, created through the control panel's API;
 * `perBatch` callers are admitted at a time (their PINs issued just before), so that no more PINs
 * are live at once than the policy's per-account cap and the line's guess bound allow.
 */
export async function admitCallers(options: {
  webhooks: Webhooks;
  baseUrl: string;
  controlPanelKey: string;
  accountSid: string;
  accounts: number;
  usersPerAccount: number;
  perBatch: number;
}): Promise<HeldCaller[]> {
  const { webhooks, accountSid } = options;
  const panel = apiClient(options.baseUrl, options.controlPanelKey);
  const users: { accountId: string; userId: string }[] = [];
  const accountIds = Array.from({ length: options.accounts }, (_, a) => `outage-${String(a)}`);
  for (const accountId of accountIds) {
    const put = await panel('PUT', `/v1/accounts/${accountId}`, { name: `Hosting ${accountId}`, sla: 'standard' });
    if (put.status >= 300) throw new Error(`PUT account answered ${String(put.status)}`);
  }
  // Accounts taking turns, so that each batch spreads its live PINs over every account.
  for (let u = 0; u < options.usersPerAccount; u += 1) for (const accountId of accountIds) users.push({ accountId, userId: `u${String(u)}` });
  await inParallel(users, 16, async ({ accountId, userId }) => {
    const put = await panel('PUT', `/v1/accounts/${accountId}/users/${userId}`, { name: `Caller ${userId} of ${accountId}`, permissions: ['manage_support'] });
    if (put.status >= 300) throw new Error(`PUT user answered ${String(put.status)}`);
  });

  const held: HeldCaller[] = [];
  for (let from = 0; from < users.length; from += options.perBatch) {
    const batch = users.slice(from, from + options.perBatch);
    const pins = new Map<string, string>();
    await inParallel(batch, 16, async ({ accountId, userId }) => {
      const { status, body } = await panel('POST', `/v1/accounts/${accountId}/users/${userId}/pin`);
      if (status !== 201 && status !== 200) throw new Error(`POST pin answered ${String(status)}: ${JSON.stringify(body)}`);
      const pin = (body as { pin: string }).pin;
      rememberSecret(pin);
      pins.set(`${accountId}/${userId}`, pin);
    });
    await inParallel(batch, 32, async ({ accountId, userId }) => {
      const callSid = `CA${hex(16)}`;
      const from = number('+4479');
      await webhooks.send('/twilio/voice', callParams(accountSid, callSid, from, 'ringing'));
      const pin = await webhooks.send('/twilio/pin?attempt=1', { ...callParams(accountSid, callSid, from), Digits: pins.get(`${accountId}/${userId}`) ?? '' });
      if (pin.kind !== 'enqueued') throw new Error(`a valid PIN was answered ${pin.kind}`);
      const caller: HeldCaller = {
        callSid,
        from,
        accountId,
        userId,
        queueSid: `QU${hex(16)}`,
        enqueuedAt: Date.now(),
        waitUrl: attribute(pin.body, 'Enqueue', 'waitUrl'),
        actionUrl: attribute(pin.body, 'Enqueue', 'action'),
        waits: [],
      };
      if (caller.waitUrl === '' || caller.actionUrl === '') throw new Error('the <Enqueue> has no waitUrl or action');
      await fetchWait(webhooks, accountSid, caller);
      held.push(caller);
    });
  }
  return held;
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

/** The caller hangs up while holding: the <Enqueue> action, then the status callback. */
export async function hangUp(webhooks: Webhooks, accountSid: string, caller: HeldCaller): Promise<void> {
  caller.hungUpAt = Date.now();
  const queueTime = String(Math.round((Date.now() - caller.enqueuedAt) / 1000));
  await webhooks.send(caller.actionUrl, { ...callParams(accountSid, caller.callSid, caller.from, 'completed'), QueueSid: caller.queueSid, QueueResult: 'hangup', QueueTime: queueTime });
  await webhooks.send('/twilio/status', { ...callParams(accountSid, caller.callSid, caller.from, 'completed'), CallDuration: queueTime });
}

/** Fetches each caller's wait URL every WAIT_EVERY_MS, spread over that time, until stopped. */
export function keepHolding(webhooks: Webhooks, accountSid: string, callers: HeldCaller[]): { stop(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const dueAt = new Map(callers.map((caller) => [caller, Date.now() + Math.random() * WAIT_EVERY_MS]));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [caller, at] of dueAt) {
      if (caller.hungUpAt !== undefined) {
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
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * Wrong PINs from `numbers` numbers at about `perSecond`: each flood call is answered, then
 * types three wrong PINs. Returns what the flood heard, by kind, when stopped.
 */
export function flood(webhooks: Webhooks, accountSid: string, options: { numbers: number; perSecond: number }): { stop(): Promise<Map<AnswerKind, number>> } {
  const numbers = Array.from({ length: options.numbers }, () => number('+4478'));
  const heard = new Map<AnswerKind, number>();
  const inFlight = new Set<Promise<void>>();
  const call = async () => {
    const callSid = `CA${hex(16)}`;
    const from = numbers[Math.floor(Math.random() * numbers.length)] ?? '';
    await webhooks.send('/twilio/voice', callParams(accountSid, callSid, from, 'ringing'));
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const wrong = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
      const { kind } = await webhooks.send(`/twilio/pin?attempt=${String(attempt)}`, { ...callParams(accountSid, callSid, from), Digits: wrong });
      heard.set(kind, (heard.get(kind) ?? 0) + 1);
    }
  };
  // Three PINs a call: a call started every 3/perSecond seconds.
  const timer = setInterval(() => {
    const started = call().finally(() => inFlight.delete(started));
    inFlight.add(started);
  }, 3000 / options.perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return heard;
    },
  };
}
