import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import twilio from 'twilio';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/redis/keys.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { logLines } from '../helpers/leak-watch.js';
import { buildTestApp, policyWith } from '../helpers/test-app.js';
import { newCallSid, placeCall, signedWebhooks, twimlOf } from '../helpers/twilio-webhooks.js';

// This file makes many failed attempts on purpose; the line alarm is tested elsewhere.
const t = await buildTestApp({ policy: policyWith({ line: { alarmFailuresPerMinute: 100_000 } }) });
afterAll(() => t.close());
const post = signedWebhooks(t.app, t.config);
const sign = (path: string, params: Record<string, string>) =>
  twilio.getExpectedTwilioSignature(t.config.twilio.authToken, `${t.config.publicBaseUrl}${path}`, params);

describe('X-Twilio-Signature', () => {
  const params = { CallSid: newCallSid(), From: '+447700900001' };

  it('when the signature is missing, then 403 with empty TwiML', async () => {
    const res = await request(t.app).post('/twilio/voice').type('form').send(params);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
  });

  it('when the signature was made with another auth token, then 403', async () => {
    const forged = twilio.getExpectedTwilioSignature('not-our-token-0123456789', `${t.config.publicBaseUrl}/twilio/voice`, params);
    const res = await request(t.app).post('/twilio/voice').type('form').set('X-Twilio-Signature', forged).send(params);
    expect(res.status).toBe(403);
  });

  it('when a signed parameter was tampered with, then 403', async () => {
    const signature = sign('/twilio/pin?attempt=1', { ...params, Digits: '1234' });
    const res = await request(t.app)
      .post('/twilio/pin?attempt=1')
      .type('form')
      .set('X-Twilio-Signature', signature)
      .send({ ...params, Digits: '9999' });
    expect(res.status).toBe(403);
  });

  it('when the attempt in the URL was changed, then 403 (the query is signed too)', async () => {
    const signature = sign('/twilio/pin?attempt=1', { ...params, Digits: '' });
    const res = await request(t.app).post('/twilio/pin?attempt=2').type('form').set('X-Twilio-Signature', signature).send({ ...params, Digits: '' });
    expect(res.status).toBe(403);
  });

  it('when the request arrives as plain http from a proxy with another Host, then it validates against PUBLIC_BASE_URL', async () => {
    const signature = sign('/twilio/voice', params);
    const res = await request(t.app)
      .post('/twilio/voice')
      .type('form')
      .set('Host', 'internal-lb:8080')
      .set('X-Forwarded-Proto', 'http')
      .set('X-Twilio-Signature', signature)
      .send(params);
    expect(twimlOf(res)).toContain('<Gather');
  });

  it('when the number is configured with the default port written out (:443), then the signature over that URL is accepted too', async () => {
    // Twilio signs the URL it called plus the sorted POST parameters, HMAC-SHA1 under the auth token
    // (https://www.twilio.com/docs/usage/webhooks/webhooks-security). The twilio package's validateRequest
    // also tries the URL with and without the port, "since that is the string Twilio signed"
    // (twilio-node lib/webhooks/webhooks.js); callgate's one-HMAC check of the exact URL comes first.
    const withPort = t.config.publicBaseUrl.replace(/^(https:\/\/[^/]+)/, '$1:443');
    const body = { ...params, CallSid: newCallSid() };
    const signature = twilio.getExpectedTwilioSignature(t.config.twilio.authToken, `${withPort}/twilio/voice`, body);
    const res = await request(t.app).post('/twilio/voice').type('form').set('X-Twilio-Signature', signature).send(body);
    expect(twimlOf(res)).toContain('<Gather');
  });

  it('when Twilio adds parameters we do not know, then they are accepted', async () => {
    const res = await post('/twilio/voice', { ...params, CallSid: newCallSid(), StirVerstat: 'TN-Validation-Passed-A', NewThing: 'x' });
    expect(twimlOf(res)).toContain('<Gather');
  });
});

describe('whatever Twilio sends, the answer is TwiML', () => {
  it('for arbitrary Digits and extra parameters at the PIN step, then always 200 and well-formed TwiML (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.dictionary(fc.stringMatching(/^[A-Z][A-Za-z]{0,15}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
        fc.integer({ min: -5, max: 30 }),
        async (digits, extra, attempt) => {
          const res = await post(`/twilio/pin?attempt=${String(attempt)}`, {
            ...extra,
            CallSid: newCallSid(),
            From: '+447700900002',
            Digits: digits,
          });
          twimlOf(res);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('when required parameters are missing, then the apology, still 200', async () => {
    const res = await post('/twilio/pin?attempt=1', { Digits: '12345678' });
    expect(twimlOf(res)).toContain('We are sorry, the emergency support line has a problem right now.');
  });

  it('when the code throws (here: a corrupt call state), then the apology, still 200', async () => {
    const callSid = newCallSid();
    await t.redis.hset(keys.call(callSid), 'step:voice', '{not json');
    const res = await post('/twilio/voice', { CallSid: callSid, From: '+447700900003' });
    expect(twimlOf(res)).toContain('We are sorry, the emergency support line has a problem right now.');
  });

  it('when a webhook path is unknown, then the apology, not an HTML 404', async () => {
    expect(twimlOf(await post('/twilio/nonsense', { CallSid: newCallSid() }))).toContain('We are sorry');
  });

  // Twilio posts its parameters as application/x-www-form-urlencoded
  // (https://www.twilio.com/docs/usage/webhooks/voice-webhooks, https://www.twilio.com/docs/messaging/guides/webhook-request):
  // anything else is not Twilio as callgate is configured, and still gets valid TwiML.
  it('when a signed body is larger than 16 KiB, then the apology, still 200 (nothing of it is read)', async () => {
    const params = { CallSid: newCallSid(), From: '+447700900004', Padding: 'x'.repeat(17 * 1024) };
    const res = await request(t.app).post('/twilio/voice').type('form').set('X-Twilio-Signature', sign('/twilio/voice', params)).send(params);
    expect(twimlOf(res)).toContain('We are sorry, the emergency support line has a problem right now.');
  });

  it('when a signed body arrives compressed (Twilio never compresses), then the apology, still 200', async () => {
    const params = { CallSid: newCallSid(), From: '+447700900005' };
    const res = await request(t.app)
      .post('/twilio/voice')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Content-Encoding', 'gzip')
      .set('X-Twilio-Signature', sign('/twilio/voice', params))
      .send(gzipSync(new URLSearchParams(params).toString()));
    expect(twimlOf(res)).toContain('We are sorry, the emergency support line has a problem right now.');
  });

  it('when the number is configured to GET a webhook (callgate needs POST), then the apology and a warning naming the path', async () => {
    const mark = logLines.length;
    // A number's VoiceMethod may be GET (https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource);
    // then Twilio signs the URL alone, its parameters being in the query string
    // (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
    const path = `/twilio/voice?CallSid=${newCallSid()}&From=%2B447700900006`;
    const res = await request(t.app).get(path).set('X-Twilio-Signature', sign(path, {}));
    expect(twimlOf(res)).toContain('We are sorry, the emergency support line has a problem right now.');
    expect(logLines.slice(mark).some((line) => line.includes('webhook for an unknown path') && line.includes('/twilio/voice'))).toBe(true);
  });

  it('when a webhook is answered, then one request line carries the request id and the CallSid, and not the Digits typed', async () => {
    const mark = logLines.length;
    const callSid = newCallSid();
    const res = await post('/twilio/pin?attempt=1', { CallSid: callSid, From: '+447700900007', Digits: '24681357' });
    const requestId = res.headers['x-request-id'];
    const lines = logLines.slice(mark).filter((line) => line.includes('request completed'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ reqId: requestId, callSid, req: { method: 'POST', url: '/twilio/pin?attempt=1' }, res: { statusCode: 200 } });
    expect(logLines.slice(mark).filter((line) => line.includes('24681357'))).toEqual([]);
  });

  it('when Twilio fetches the fallback, then the static fallback TwiML is served', async () => {
    const res = await request(t.app).get('/twilio/fallback');
    expect(twimlOf(res)).toContain('the emergency support line is not available at the moment');
  });
});

describe('one PIN, many calls', () => {
  it('when 50 calls race with one PIN, then exactly one is enqueued and the others are not recognised', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const calls = Array.from({ length: 50 }, () => placeCall(t.app, t.config));
    await Promise.all(calls.map((call) => call.voice()));

    const answers = await Promise.all(calls.map(async (call) => twimlOf(await call.pin(pin))));

    expect(answers.filter((xml) => xml.includes('<Enqueue'))).toHaveLength(1);
    expect(answers.filter((xml) => xml.includes('not recognised'))).toHaveLength(49);
  });

  it('when Twilio retries the PIN step after success, then the same enqueue, not "not recognised"', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config);
    await call.voice();
    const first = twimlOf(await call.pin(pin));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the books are kept just after the answer
    const retried = twimlOf(await call.pin(pin));
    expect(first).toContain('<Enqueue');
    expect(retried).toBe(first);
  });

  it('when Twilio retries a failed attempt, then the same answer and the attempt is counted once', async () => {
    const call = placeCall(t.app, t.config);
    await call.voice();
    const first = twimlOf(await call.pin('12121212', 1));
    expect(twimlOf(await call.pin('12121212', 1))).toBe(first);
    // Counted once: the second real attempt still gets a third.
    expect(twimlOf(await call.pin('34343434', 2))).toContain('attempt=3');
  });
});
