import { afterAll, describe, expect, it } from 'vitest';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, twimlOf } from '../helpers/twilio-webhooks.js';

const t = await buildTestApp();
afterAll(() => t.close());

const SAY = '<Say voice="Polly.Amy" language="en-GB">';
const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const BASE = 'https://callgate.example.com';

async function givenCaller(options: { sla?: string; name?: string } = {}) {
  const accountId = await givenAccount(t.app, { sla: options.sla ?? 'standard' });
  const userId = await givenUser(t.app, accountId, { name: options.name ?? 'Ada Lovelace' });
  const pin = await givenPin(t.app, accountId, userId);
  return { accountId, userId, pin };
}

describe('a call from first ring to the queue', () => {
  it('when the line is open, then the caller is asked for the PIN with a Gather to the PIN step', async () => {
    const call = placeCall(t.app, t.config);
    expect(twimlOf(await call.voice())).toBe(
      `${XML}<Response><Gather input="dtmf" finishOnKey="#" timeout="8" action="${BASE}/twilio/pin?attempt=1" method="POST" actionOnEmptyResult="true">` +
        `${SAY}Welcome to emergency support. Please enter the support PIN from your control panel, followed by the hash key.</Say></Gather></Response>`,
    );
  });

  it('when the PIN is right, then the caller hears their name and is enqueued in a queue of their own', async () => {
    const { pin } = await givenCaller({ sla: 'managed_platform', name: 'Ada Lovelace' });
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin(pin))).toBe(
      `${XML}<Response>${SAY}Thank you, Ada Lovelace. Connecting you to our on-call engineers.</Say>` +
        `<Enqueue waitUrl="${BASE}/twilio/wait" waitUrlMethod="POST" action="${BASE}/twilio/queue-result" method="POST">cg-${call.callSid}</Enqueue></Response>`,
    );
  });
});

describe('a wrong, empty or expired PIN', () => {
  it('when the PIN is wrong, then "not recognised" and a Gather for the next attempt', async () => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    expect(twimlOf(await call.pin('00000000'))).toBe(
      `${XML}<Response><Gather input="dtmf" finishOnKey="#" timeout="8" action="${BASE}/twilio/pin?attempt=2" method="POST" actionOnEmptyResult="true">` +
        `${SAY}Sorry, that PIN was not recognised. Please enter your PIN again, followed by the hash key.</Say></Gather></Response>`,
    );
  });

  it('when the third attempt fails, then goodbye and hang up', async () => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin('1234567', 1);
    await call.pin('123', 2);
    expect(twimlOf(await call.pin('99999999', 3))).toBe(
      `${XML}<Response>${SAY}Sorry, we could not verify your PIN. Please get a new PIN from the control panel and call again. Goodbye.</Say><Hangup/></Response>`,
    );
  });

  it('when the PIN has expired, then it is not recognised', async () => {
    const { pin } = await givenCaller();
    t.clock.advance(t.policy.pin.ttlSeconds * 1000);
    try {
      const call = placeCall(t.app, t.config);
      await call.voice();
      expect(twimlOf(await call.pin(pin))).toContain('not recognised');
    } finally {
      t.clock.set('2027-03-02T10:00:00Z');
    }
  });

  it('when a failed attempt is followed by the right PIN, then the caller still gets through', async () => {
    const { pin } = await givenCaller();
    const call = placeCall(t.app, t.config);
    await call.voice();
    await call.pin('11111111', 1);
    expect(twimlOf(await call.pin(pin, 2))).toContain('<Enqueue');
  });
});

describe('the voice of the line', () => {
  it('when the policy names another voice, then every <Say> uses it', async () => {
    const brian = await buildTestApp({ policy: { tiers: { open: { phoneSupport: true, hours: { tue: ['00:00-24:00'] } } }, voice: { voice: 'Polly.Brian', language: 'en-GB' } } });
    const xml = twimlOf(await placeCall(brian.app, brian.config).voice());
    expect(xml).toContain('<Say voice="Polly.Brian" language="en-GB">Welcome to emergency support.');
    await brian.close();
  });
});
