import { randomBytes } from 'node:crypto';
import { apiClient } from '../../tools/local-stack.js';
import type { Webhooks } from './outage-webhooks.js';

/**
 * The line of the outage test: its accounts and users (through the control panel's API), the
 * PINs issued to them, and what Twilio sends for any call: the parameters of a call, a call
 * dialling in and typing into each <Gather>, a call's end.
 */
export const SUPPORT_NUMBER = '+442070000000';

export interface Credentials {
  accountId: string;
  userId: string;
  pin: string;
  accountCode: string;
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

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const number = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

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

export const attribute = (xml: string, tag: string, name: string): string => new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1]?.replaceAll('&amp;', '&') ?? '';

/**
 * A call from `from`: the answer, then digits typed into each <Gather> (at most `entries` of
 * them), posted to the Gather's action as Twilio does; returns the last answer.
 */
export async function dialIn(webhooks: Webhooks, accountSid: string, call: { callSid: string; from: string }, digitsFor: (prompt: string) => string, entries: number) {
  let answer = await webhooks.send('/twilio/voice', callParams(accountSid, call.callSid, call.from, 'ringing'));
  for (let typed = 0; typed < entries; typed += 1) {
    const action = attribute(answer.body, 'Gather', 'action');
    if (action === '') break;
    answer = await webhooks.send(action, { ...callParams(accountSid, call.callSid, call.from), Digits: digitsFor(answer.body) });
  }
  return answer;
}

/** The call ends: its status callback (https://www.twilio.com/docs/voice/api/call-resource, StatusCallback). */
export async function callEnds(webhooks: Webhooks, accountSid: string, call: { callSid: string; from: string }, seconds: number): Promise<void> {
  await webhooks.send('/twilio/status', { ...callParams(accountSid, call.callSid, call.from, 'completed'), CallDuration: String(seconds) });
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

