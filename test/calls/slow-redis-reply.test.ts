import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPinStore } from '../../src/pins/pin-store.js';
import { createWebhookClient } from '../../sim/webhook-client.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { slowRepliesProxy } from '../helpers/slow-replies-proxy.js';
import { givenWaitingCaller } from '../oncall/oncall-helpers.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, signedWebhooks, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

const proxy = await slowRepliesProxy(inject('redisUrl'));
const t = await buildTestApp({ redisUrl: proxy.url });
// A second instance on the same data, whose Redis answers in time.
const prompt = await buildTestApp({ prefix: t.prefix, clock: t.clock });
// The PIN webhook is sent as Twilio sends it, by the simulator's webhook client, which keeps the
// connection-override defaults (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides):
// Twilio waits up to 15 s (rt) for the answer and retries only a connection that failed (rc 1, rp ct),
// so a slow answer is not sent again: what the caller hears is that one answer
// (and after 15 s, Twilio's error 11205 and the fallback URL: https://www.twilio.com/docs/errors/11205).
const server = createHttpServer(t.app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const serviceUrl = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
let pinWebhooks = 0;
server.on('request', (req: IncomingMessage) => {
  if (req.url?.startsWith('/twilio/pin') === true) pinWebhooks += 1;
});
const twilioSide = createWebhookClient({ serviceUrls: [serviceUrl], publicBaseUrl: t.config.publicBaseUrl, authToken: t.config.twilio.authToken, readTimeoutMs: 15_000 });
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
  await prompt.close();
  await proxy.close();
});
const pins = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });
const APOLOGY = /^We are sorry, the emergency support line has a problem right now/;

describe('a slow answer from Redis while the PIN is used up', () => {
  it('when Redis admits the caller in time but its answer arrives after the caller heard the apology, then the PIN works again once that call ends, and it is no longer held', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    const call = placeCall(t.app, t.config);
    await call.voice();

    // The PIN step, which reads the caller's owner in the directory, is the one command that names its key.
    proxy.armOn([':dir:accounts'], 2500);
    const before = pinWebhooks;
    const { body } = await twilioSide.send(
      `${t.config.publicBaseUrl}/twilio/pin?attempt=1`,
      'POST',
      { CallSid: call.callSid, From: call.from, To: t.config.supportPhoneNumber, AccountSid: t.config.twilio.accountSid, Digits: pin },
      'ok-only',
    );
    expect(spoken(body)[0]).toMatch(APOLOGY);
    // Answered within Twilio's read timeout, so Twilio sent it once: no retry hears another answer.
    expect(pinWebhooks - before).toBe(1);

    // The late reply admitted the caller on a lease; the apology brings no wait-URL fetch to confirm it,
    // and the call's end (its status callback, https://www.twilio.com/docs/voice/api/call-resource) releases it.
    await sleep(3_000);
    expect(await pins.find(pin)).toBeUndefined();
    await call.status('completed', 10);
    expect(await pins.find(pin)).toMatchObject({ accountId, userId });
    const again = placeCall(t.app, t.config);
    await again.voice();
    expect(twimlOf(await again.pin(pin))).toContain('<Enqueue');
    // Its end let go of the call that heard the apology: nobody is paged for it any more.
    expect(await createWaitingCallers(t.redis).get(call.callSid)).toBeUndefined();
    expect(await createWaitingCallers(t.redis).get(again.callSid)).toBeDefined();
  }, 20_000);
});

describe('a copy of an answered PIN webhook', () => {
  // Twilio itself sends a webhook again only when the connection failed (page above), so the
  // first copy was never answered; a copy of one that was comes from something in between (a
  // proxy or load balancer that repeats a request) or from a retry policy the README rules out ("Twilio console settings").
  it('when the copy meets a slow Redis after the first was answered "connecting you", then the caller stays held and the PIN stays used', async () => {
    // Put through ("connecting you") by the instance whose Redis answers in time.
    const { accountId, userId, pin, call } = await givenWaitingCaller(prompt);

    // The same request reaches the instance whose Redis answers late: the PIN step's reply
    // (the step's recorded decision) comes after that instance gave up and spoke the apology.
    proxy.armOn([':dir:accounts'], 2500);
    const copy = await signedWebhooks(t.app, t.config)('/twilio/pin?attempt=1', {
      CallSid: call.callSid,
      From: call.from,
      To: t.config.supportPhoneNumber,
      AccountSid: t.config.twilio.accountSid,
      Digits: pin,
    });
    expect(spoken(twimlOf(copy))[0]).toMatch(APOLOGY);

    // Long enough for the late reply to land.
    await sleep(3_500);
    expect((await createWaitingCallers(t.redis).get(call.callSid))?.caller).toMatchObject({ accountId, userId });
    expect(await pins.find(pin)).toBeUndefined();
    expect(twimlOf(await call.wait(1, 5))).not.toMatch(APOLOGY);
    // That wait-URL fetch confirmed the PIN's lease: when the call ends, the PIN stays used.
    await call.status('completed', 300);
    expect(await pins.find(pin)).toBeUndefined();
    const again = placeCall(prompt.app, prompt.config);
    await again.voice();
    expect(twimlOf(await again.pin(pin))).not.toContain('<Enqueue');
  }, 20_000);
});

