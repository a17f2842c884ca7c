import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEventReceiver } from '../../sim/event-receiver.js';
import type { SimPhoneNumber } from '../../sim/rest-phone-numbers.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { createOncallPins } from '../../src/oncall/oncall-pins.js';
import { createOncallStore } from '../../src/oncall/oncall-store.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../../tools/private-redis.js';
import { testEnv } from '../helpers/test-app.js';
import { runCommand } from './run-command.js';
import { startTwimlHost, type TwimlHost } from './twiml-host.js';

// `npm run doctor` against the REST stand-in (IncomingPhoneNumbers:
// https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource, OutgoingCallerIds:
// https://www.twilio.com/docs/voice/api/outgoing-caller-ids) and a private Redis of its own:
// the doctor reads the rota at callgate's real keys, which the shared test Redis leaves to prefixed apps.
// The voice fallback is hosted on a stand-in TwiML Bin (twiml-host.ts), apart from callgate as the README asks.

const BASE = 'https://callgate.example.com';
const env = testEnv();
const ACCOUNT = env.TWILIO_ACCOUNT_SID ?? '';
const TOKEN = env.TWILIO_AUTH_TOKEN ?? '';
const SUPPORT = env.SUPPORT_PHONE_NUMBER ?? '';
const PIN_SECRET = env.PIN_SECRET ?? '';

let privateRedis: PrivateRedis;
let redis: Redis;
let rest: TwilioRestApi;
let twimlHost: TwimlHost;
beforeAll(async () => {
  privateRedis = await startPrivateRedis({ persistent: true });
  redis = new Redis(privateRedis.url);
});
afterAll(async () => {
  redis.disconnect();
  await privateRedis.stop();
});
beforeEach(async () => {
  await redis.flushall();
  await redis.config('SET', 'appendonly', 'yes');
  await redis.config('SET', 'appendfsync', 'everysec');
  rest = await startTwilioRestApi({ accountSid: ACCOUNT, authToken: TOKEN });
  twimlHost = await startTwimlHost({ accountSid: ACCOUNT, authToken: TOKEN });
});
afterEach(async () => {
  await rest.close();
  await twimlHost.close();
});

const doctor = async (overrides: Record<string, string | undefined> = {}) => {
  const run = await runCommand('src/cli/doctor-command.ts', [], testEnv({ REDIS_URL: privateRedis.url, TWILIO_API_URL: rest.url, PUBLIC_BASE_URL: BASE, ...overrides }));
  // Each table row as "check | status | detail", the alignment's spaces collapsed.
  const rows = new Map(run.stdout.trim().split('\n').slice(1).map((line) => {
    const [check = '', status = '', detail = ''] = line.split(/ {2,}/);
    return [check, { status, detail }];
  }));
  return { ...run, row: (check: string) => rows.get(check) ?? { status: 'missing', detail: run.stdout } };
};

const givenNumberPointedHere = (): SimPhoneNumber =>
  rest.phoneNumbers.add(SUPPORT, {
    voiceUrl: `${BASE}/twilio/voice`,
    voiceFallbackUrl: `${twimlHost.url}/EH0123/fallback`,
    statusCallback: `${BASE}/twilio/status`,
  });

async function givenRota(withPins: boolean) {
  await createOncallStore(redis).replace([
    { id: 'sam', name: 'Sam Okafor', phone: '+447700900001' },
    { id: 'kit', name: 'Kit Marlowe', phone: '+447700900002' },
  ]);
  const pins = createOncallPins(redis, PIN_SECRET);
  await pins.set('sam', '482913');
  if (withPins) await pins.set('kit', '730164');
}

describe('npm run doctor', () => {
  it('when everything is ready, then every row is ok and it exits 0', async () => {
    givenNumberPointedHere();
    await givenRota(true);
    await redis.config('SET', 'appendfsync', 'always');
    const run = await doctor();
    expect(run.stdout.split('\n')[0]).toMatch(/^check +status +detail$/);
    for (const check of ['environment', 'redis', 'redis persistence', 'clock skew', 'twilio credentials', 'support number', 'number webhooks', 'voice fallback', 'page caller ID', 'rota', 'on-call PINs', 'events receiver']) {
      expect(run.row(check).status, check).toBe('ok');
    }
    expect(run.row('redis').detail).toMatch(/^reachable, Redis \d+\.\d+/);
    expect(run.row('rota').detail).toBe('2 sysadmins');
    // appendfsync is read from CONFIG: INFO persistence has no such field, so it was always "per its config".
    expect(run.row('redis persistence').detail).toBe('AOF on (appendfsync always)');
    expect(run.row('voice fallback').detail).toBe(`${twimlHost.url}/EH0123/fallback answers TwiML`);
    // Fetched as Twilio fetches it: POST, signed, with the AccountSid (a TwiML Bin answers nothing else).
    expect(twimlHost.requests).toEqual([{ method: 'POST', path: '/EH0123/fallback', signed: true }]);
    expect(run.code).toBe(0);
  });

  it('when the fallback refuses POST, then voice fallback FAILs saying so and it exits 1; with the fallback method GET it is ok', async () => {
    const number = givenNumberPointedHere();
    await givenRota(true);
    twimlHost.mode('refuses-post');
    const refused = await doctor();
    expect(refused.row('voice fallback')).toEqual({ status: 'FAIL', detail: expect.stringContaining('refuses POST (HTTP 405)') as unknown });
    expect(refused.code).toBe(1);
    number.voiceFallbackMethod = 'GET';
    const viaGet = await doctor();
    expect(viaGet.row('voice fallback').status).toBe('ok');
    expect(twimlHost.requests.at(-1)).toEqual({ method: 'GET', path: '/EH0123/fallback', signed: true });
  });

  it('when the fallback answers an error page, then voice fallback FAILs: callers would hear Twilio\'s application error', async () => {
    givenNumberPointedHere();
    await givenRota(true);
    twimlHost.mode('error-page');
    const run = await doctor();
    expect(run.row('voice fallback')).toEqual({ status: 'FAIL', detail: expect.stringContaining('answers no TwiML: its root element is <html>, not <Response>') as unknown });
    expect(run.code).toBe(1);
  });

  it('when the fallback is not reachable, then voice fallback FAILs and it exits 1', async () => {
    rest.phoneNumbers.add(SUPPORT, { voiceUrl: `${BASE}/twilio/voice`, voiceFallbackUrl: `http://127.0.0.1:${String(await freePort())}/fallback.xml`, statusCallback: `${BASE}/twilio/status` });
    await givenRota(true);
    const run = await doctor();
    expect(run.row('voice fallback')).toEqual({ status: 'FAIL', detail: expect.stringMatching(/is not reachable \(.*ECONNREFUSED.*\)/) as unknown });
    expect(run.code).toBe(1);
  });

  it("when the fallback is callgate's own /twilio/fallback, then it WARNs that it is down whenever callgate is, though it answers", async () => {
    // callgate at the stand-in's address, so its own fallback answers.
    const base = twimlHost.url;
    rest.phoneNumbers.add(SUPPORT, { voiceUrl: `${base}/twilio/voice`, voiceFallbackUrl: `${base}/twilio/fallback`, statusCallback: `${base}/twilio/status` });
    await givenRota(true);
    const run = await doctor({ PUBLIC_BASE_URL: base });
    expect(run.row('number webhooks').status).toBe('ok');
    expect(run.row('voice fallback')).toEqual({ status: 'WARN', detail: expect.stringContaining("answers TwiML, but it is callgate's own") as unknown });
    expect(run.code).toBe(0);
  });

  it('when the number points elsewhere and the rota is empty, then both FAIL, naming the fix, and it exits 1', async () => {
    rest.phoneNumbers.add(SUPPORT, { voiceUrl: 'https://demo.twilio.com/welcome/voice/' });
    const run = await doctor();
    expect(run.row('number webhooks')).toEqual({ status: 'FAIL', detail: expect.stringContaining(`voice URL is https://demo.twilio.com/welcome/voice/, not ${BASE}/twilio/voice`) as unknown });
    expect(run.row('number webhooks').detail).toContain('(npm run twilio:setup)');
    expect(run.row('rota').status).toBe('FAIL');
    expect(run.code).toBe(1);
  });

  it('when AOF is off and a sysadmin has no on-call PIN, then those rows WARN but it exits 0: calls still go through', async () => {
    givenNumberPointedHere();
    await givenRota(false);
    await redis.config('SET', 'appendonly', 'no');
    const run = await doctor();
    expect(run.row('redis persistence').status).toBe('WARN');
    expect(run.row('on-call PINs')).toEqual({ status: 'WARN', detail: 'none for Kit Marlowe (kit): they cannot phone in to take a caller' });
    expect(run.code).toBe(0);
  });

  it('when PAGE_CALLER_ID is neither a number nor a verified caller ID of the account, then it FAILs; once verified, it is ok', async () => {
    givenNumberPointedHere();
    await givenRota(true);
    const callerId = '+442071234999';
    const refused = await doctor({ PAGE_CALLER_ID: callerId });
    expect(refused.row('page caller ID').status).toBe('FAIL');
    expect(refused.code).toBe(1);
    rest.phoneNumbers.verifiedCallerIds.push(callerId);
    const verified = await doctor({ PAGE_CALLER_ID: callerId });
    expect(verified.row('page caller ID')).toEqual({ status: 'ok', detail: `${callerId}, a verified caller ID of the account` });
  });

  it('when Redis is down and the auth token wrong, then each says so, what depends on them is skipped, and it exits 1 without printing the token', async () => {
    givenNumberPointedHere();
    const wrong = 'wrong-auth-token-0123456789';
    const run = await doctor({ REDIS_URL: `redis://127.0.0.1:${String(await freePort())}`, TWILIO_AUTH_TOKEN: wrong });
    expect(run.row('redis').status).toBe('FAIL');
    expect(run.row('rota').status).toBe('-');
    expect(run.row('twilio credentials')).toEqual({ status: 'FAIL', detail: 'Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' });
    expect(run.row('number webhooks').status).toBe('-');
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(run.code).toBe(1);
  });

  it('when the environment is invalid, then that is the one row, naming the variable, and it exits 1', async () => {
    const run = await doctor({ PIN_SECRET: 'short' });
    expect(run.row('environment')).toEqual({ status: 'FAIL', detail: 'PIN_SECRET: must be at least 32 bytes' });
    expect(run.code).toBe(1);
  });

  it('when EVENTS_URL is set, then a signed test event is sent: ok while the receiver accepts the signature, WARN when it refuses it or is down', async () => {
    givenNumberPointedHere();
    await givenRota(true);
    const secret = 'events-secret-0123456789abcdef0123456789';
    const receiver = await startEventReceiver({ secret });
    const events = { EVENTS_URL: receiver.url, EVENTS_SECRET: secret };
    try {
      const accepted = await doctor(events);
      // The stand-in checks the signature first (401), then refuses the type it does not know (400).
      expect(accepted.row('events receiver')).toEqual({ status: 'ok', detail: 'signature accepted: HTTP 400 to the signed test event (its type, callgate.ping, it need not know), HTTP 401 to a wrongly signed one' });
      expect(receiver.requests.map((request) => request.verified)).toEqual([true, false]);
      const wrongSecret = await doctor({ ...events, EVENTS_SECRET: 'another-secret-0123456789abcdef012345678' });
      expect(wrongSecret.row('events receiver')).toEqual({ status: 'WARN', detail: expect.stringContaining('refused the signature (HTTP 401): EVENTS_SECRET is not the receiver') as unknown });
      expect(wrongSecret.stdout).not.toContain('another-secret');
      await receiver.down();
      const down = await doctor(events);
      expect(down.row('events receiver')).toEqual({ status: 'WARN', detail: expect.stringMatching(/^not reachable: .*ECONNREFUSED/) as unknown });
      expect(down.code).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
