import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, connect, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPinStore } from '../../src/pins/pin-store.js';
import { createWebhookClient } from '../../sim/webhook-client.js';
import { ADMIT_CALLER_LUA } from '../../src/calls/admission.js';
import { createWaitingCallers } from '../../src/oncall/waiting-callers.js';
import { eventually } from '../helpers/eventually.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';
import { placeCall, spoken, twimlOf } from '../helpers/twilio-webhooks.js';

/**
 * A Redis whose *answers* can be slow: a TCP proxy that forwards commands at once but, once
 * armed, holds back for `ms` every reply after the first command containing one of `markers`.
 * The command runs in Redis in time; only its answer is late (unlike a hung Redis).
 */
async function slowRepliesProxy(redisUrl: string): Promise<{ url: string; armOn: (markers: string[], ms: number) => void; close: () => Promise<void> }> {
  const target = new URL(redisUrl);
  let armed: { markers: string[]; ms: number } | undefined;
  let holdUntil = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    let replies = Promise.resolve();
    client.on('data', (chunk) => {
      if (armed !== undefined && armed.markers.some((marker) => chunk.includes(marker))) {
        holdUntil = Date.now() + armed.ms;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      // In order: a reply held back holds back the ones after it.
      replies = replies.then(async () => {
        await sleep(Math.max(0, holdUntil - Date.now()));
        client.write(chunk);
      });
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    armOn: (markers, ms) => {
      armed = { markers, ms };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

const proxy = await slowRepliesProxy(inject('redisUrl'));
const t = await buildTestApp({ redisUrl: proxy.url });
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
  await proxy.close();
});
const pins = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin });
const APOLOGY = /^We are sorry, the emergency support line has a problem right now/;

// ioredis sends a script's text the first time on a connection (EVAL), its SHA1 after (EVALSHA).
const ADMISSION = [ADMIT_CALLER_LUA, createHash('sha1').update(ADMIT_CALLER_LUA).digest('hex')];

describe('a slow answer from Redis while the PIN is used up', () => {
  it.each([
    // The PIN step admits the caller itself when the line's copy of the directory vouches for them;
    // it is the one command that names the copy's key.
    ['by the PIN check itself', false, ['directory:accounts']],
    ["by the admission after a directory read (the line had no copy of the account)", true, ADMISSION],
  ])('when Redis admits the caller %s in time but its answer arrives after the caller heard the apology, then the caller keeps the PIN and is not held', async (_how, withoutCopy, markers) => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    if (withoutCopy) await t.redis.hdel('callgate:{line}:directory:accounts', accountId);
    const call = placeCall(t.app, t.config);
    await call.voice();

    proxy.armOn(markers, 2500);
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

    await eventually(async () => {
      expect(await pins.find(pin)).toMatchObject({ accountId, userId });
    }, 10_000);
    // Nor is a sysadmin paged for a caller who heard the apology.
    expect(await createWaitingCallers(t.redis).get(call.callSid)).toBeUndefined();
    const again = placeCall(t.app, t.config);
    await again.voice();
    expect(twimlOf(await again.pin(pin))).toContain('<Enqueue');
  }, 20_000);
});
