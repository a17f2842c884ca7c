import { spawn } from 'node:child_process';
import { once } from 'node:events';
import request from 'supertest';
import twilio from 'twilio';
import { afterAll, describe, expect, it } from 'vitest';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { freePort } from '../../tools/private-redis.js';
import { auditEvents } from '../oncall/oncall-helpers.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp, OPS_KEY, testEnv } from '../helpers/test-app.js';
import { TUESDAY_MORNING } from '../helpers/test-clock.js';
import { newCallSid, newCaller, placeCall, twimlOf } from '../helpers/twilio-webhooks.js';

/**
 * Issue 11.2: a caller told "connecting you" is paged even if the instance that answered
 * dies at once. One instance runs in a child process that SIGKILLs itself the moment it has
 * written the answer; another, on the same Redis, pages through the REST stand-in.
 */
const rest = await startTwilioRestApi();
const other = await buildTestApp({ env: { TWILIO_API_URL: rest.url } });
afterAll(async () => {
  await other.close();
  await rest.close();
});

async function instanceThatDiesAfterAnswering() {
  const port = await freePort();
  const env = testEnv({ PORT: String(port), KEY_PREFIX: other.prefix, CLOCK_AT: TUESDAY_MORNING, TWILIO_API_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'error' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/calls/helpers/dies-after-answer.ts'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  await once(child.stdout, 'data');
  /** A webhook signed as Twilio signs it, posted to the child. */
  const post = async (path: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(other.config.twilio.authToken, `${other.config.publicBaseUrl}${path}`, params);
    const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text() };
  };
  return { post, exited, kill: () => child.kill('SIGKILL') };
}

describe('an instance dying right after putting a caller through', () => {
  it('when the instance is killed the moment it answered "connecting you", then another instance pages a sysadmin for the caller', async () => {
    await request(other.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([{ id: 'sam', name: 'Sam', phone: '+447700900999' }]);
    const accountId = await givenAccount(other.app);
    const userId = await givenUser(other.app, accountId, { name: 'Grace Hopper' });
    const pin = await givenPin(other.app, accountId, userId);
    const dying = await instanceThatDiesAfterAnswering();
    const call = { CallSid: newCallSid(), From: newCaller(), To: other.config.supportPhoneNumber, AccountSid: other.config.twilio.accountSid };
    try {
      expect((await dying.post('/twilio/voice', { ...call, CallStatus: 'ringing' })).text).toContain('<Gather');
      const answer = await dying.post('/twilio/pin?attempt=1', { ...call, Digits: pin });
      expect(answer.text).toContain(`>cg-${call.CallSid}</Enqueue>`);
      expect((await dying.exited)[1]).toBe('SIGKILL');
    } finally {
      dying.kill();
    }

    // Only the other instance is left; its pager finds the caller and rings the sysadmin.
    await other.pager.tick();
    expect(rest.calls).toEqual([
      expect.objectContaining({ to: '+447700900999', url: `${other.config.publicBaseUrl}/twilio/agent?sysadmin=sam&caller=${call.CallSid}` }),
    ]);
    expect(await createWaitingCallers(other.redis).get(call.CallSid)).toMatchObject({ caller: { userName: 'Grace Hopper', accountId } });
    // The audit of the admission was due just after the answer: that much a crash loses (docs/architecture.md "Call path atomicity").
    expect((await auditEvents(other)).filter((event) => event.callSid === call.CallSid).map((event) => event.type)).not.toContain('enqueued');
  }, 30_000);

  it('when Twilio retries that PIN webhook at another instance, then it hears the same answer and the PIN stays used once', async () => {
    const accountId = await givenAccount(other.app);
    const userId = await givenUser(other.app, accountId);
    const pin = await givenPin(other.app, accountId, userId);
    const dying = await instanceThatDiesAfterAnswering();
    const call = { CallSid: newCallSid(), From: newCaller(), To: other.config.supportPhoneNumber, AccountSid: other.config.twilio.accountSid };
    try {
      await dying.post('/twilio/voice', { ...call, CallStatus: 'ringing' });
      const first = await dying.post('/twilio/pin?attempt=1', { ...call, Digits: pin });
      await dying.exited;
      const retried = placeCall(other.app, other.config);
      const again = await signedRetry(call, pin);
      expect(twimlOf(again)).toBe(first.text);
      // The PIN is spent: another call with it is not put through.
      await retried.voice();
      expect(twimlOf(await retried.pin(pin))).toContain('not recognised');
    } finally {
      dying.kill();
    }
  }, 30_000);
});

function signedRetry(call: Record<string, string>, pin: string) {
  const params = { ...call, Digits: pin };
  const path = '/twilio/pin?attempt=1';
  const signature = twilio.getExpectedTwilioSignature(other.config.twilio.authToken, `${other.config.publicBaseUrl}${path}`, params);
  return request(other.app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
}
