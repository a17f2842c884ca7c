import { expect } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import type { PlacedCall } from '../../sim/rest-calls.js';
import { ALL_PERMISSIONS, givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import type { TestApp } from '../helpers/test-app.js';
import { placeCall, signedWebhooks, twimlOf } from '../helpers/twilio-webhooks.js';

/** Test helpers for the sysadmin side: a verified caller held in their own queue, and a sysadmin's phone. */

export const BASE = 'https://callgate.example.com';
export const ALICE = { id: 'alice', name: 'Alice', phone: '+447700900201' };
export const BOB = { id: 'bob', name: 'Bob', phone: '+447700900202' };

/** A verified caller, held: an account with an admin contact, a user, a PIN, and the call up to <Enqueue>. */
export async function givenWaitingCaller(app: TestApp, options: { sla?: string; admin?: boolean; name?: string } = {}) {
  const accountId = await givenAccount(app.app, { sla: options.sla ?? 'standard' });
  const adminId = await givenUser(app.app, accountId, { permissions: ALL_PERMISSIONS, roles: ['admin_contact'], name: 'Margaret Hamilton' });
  const userId = options.admin === true ? adminId : await givenUser(app.app, accountId, { name: options.name ?? 'Ken Thompson' });
  const pin = await givenPin(app.app, accountId, userId);
  const call = placeCall(app.app, app.config);
  await call.voice();
  expect(twimlOf(await call.pin(pin))).toContain(`>cg-${call.callSid}</Enqueue>`);
  const waiting = createWaitingCallers(app.redis);
  await eventually(async () => {
    expect(await waiting.get(call.callSid)).toBeDefined();
  });
  return { accountId, userId, pin, call };
}

/** The phone of a paged sysadmin: Twilio's webhooks for the page call `page`. */
export function pagedPhone(app: TestApp, sysadminId: string, page: PlacedCall | undefined) {
  const post = signedWebhooks(app.app, app.config);
  const pageSid = page?.sid ?? 'CA-missing-page';
  const caller = new URL(page?.url ?? `${BASE}/`).searchParams.get('caller') ?? '';
  const call = { CallSid: pageSid, To: page?.to ?? '', From: page?.from ?? '', Direction: 'outbound-api' };
  return {
    pageSid,
    caller,
    answer: (answeredBy = 'human') => post(`/twilio/agent?sysadmin=${sysadminId}&caller=${caller}`, { ...call, CallStatus: 'in-progress', AnsweredBy: answeredBy }),
    hear: (digits: string) => post(`/twilio/agent-answer?sysadmin=${sysadminId}&step=hear&about=${caller}`, { ...call, Digits: digits }),
    take: (digits: string, about: string) => post(`/twilio/agent-answer?sysadmin=${sysadminId}&step=take&about=${about}`, { ...call, Digits: digits }),
    dialEnded: (about: string, dialCallStatus: string) =>
      post(`/twilio/agent-dialed?sysadmin=${sysadminId}&about=${about}`, { ...call, DialCallStatus: dialCallStatus }),
    ended: (callStatus: string) => post(`/twilio/agent-status?sysadmin=${sysadminId}&caller=${caller}`, { ...call, CallStatus: callStatus }),
  };
}

/** Twilio fetching the <Queue> url for the caller just before the bridge. */
export function bridge(app: TestApp, sysadminId: string, callerSid: string, agentCallSid: string) {
  return signedWebhooks(app.app, app.config)(`/twilio/bridge?sysadmin=${sysadminId}&about=${callerSid}`, {
    CallSid: callerSid,
    DequeingCallSid: agentCallSid,
    QueueSid: `QU${'0'.repeat(32)}`,
    QueueTime: '12',
  });
}

/** Audit events of the test app, oldest first. */
export async function auditEvents(app: TestApp): Promise<{ type: string; reason?: string; callSid?: string; sysadminId?: string }[]> {
  const entries = await app.redis.xrange('callgate:{audit}:events', '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { type: string });
}
