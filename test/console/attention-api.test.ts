import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { attentionSchema } from '../../src/console/attention-schema.js';
import { eventKeys } from '../../src/events/event-keys.js';
import { createMissedCallers, type MissedCall } from '../../src/oncall/missed-callers.js';
import { keys } from '../../src/redis/keys.js';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { eventually } from '../helpers/eventually.js';
import { commandsDuring } from '../helpers/redis-commands.js';
import { givenAccount, givenUser } from '../helpers/givens.js';
import { buildTestApp, CONTROL_PANEL_KEY, OPS_KEY, testEnv, type TestApp } from '../helpers/test-app.js';
import { ALICE } from '../oncall/oncall-helpers.js';

/**
 * What needs a human, for the console: missed callers with their messages (played through
 * callgate with the Twilio account's credentials), dead letters named from the directory, the
 * guessing bound; and the live stream, fed to every viewer from one read a second.
 */
const env = testEnv();
const ACCOUNT_SID = env.TWILIO_ACCOUNT_SID ?? '';
const AUTH_TOKEN = env.TWILIO_AUTH_TOKEN ?? '';
// The stand-in refuses any other credentials (401, as Twilio does with HTTP authentication on for media).
const rest = await startTwilioRestApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
const apps: TestApp[] = [];
const servers: Server[] = [];
async function newApp(): Promise<TestApp> {
  const app = await buildTestApp({ env: { TWILIO_API_URL: rest.url } });
  apps.push(app);
  return app;
}
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

const asOperator = (app: TestApp, path: string) => request(app.app).get(path).set('Authorization', `Bearer ${OPS_KEY}`);
const attention = async (app: TestApp) => attentionSchema.parse((await asOperator(app, '/v1/ops/attention').expect(200)).body);
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const callSid = () => `CA${hex(32)}`;
const recordingUrl = (account = ACCOUNT_SID) => `https://api.twilio.com/2010-04-01/Accounts/${account}/Recordings/RE${hex(32)}`;

async function givenMissed(t: TestApp, call: Partial<MissedCall> & Pick<MissedCall, 'accountId' | 'userId'>): Promise<MissedCall> {
  const missed = createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 });
  const stored = await missed.record({
    callSid: callSid(),
    accountName: 'Name when missed',
    userName: 'Caller when missed',
    from: '+447700900555',
    at: t.clock.now() - 60_000,
    waitSeconds: 125,
    reason: 'timed_out',
    ...call,
  });
  if (call.voicemail !== undefined) await missed.attachVoicemail(stored.callSid, call.voicemail);
  return stored;
}

describe('GET /v1/ops/attention: missed callers', () => {
  it('when a verified caller was missed and left a message, then they show with the directory names, why, the message route and no call-back', async () => {
    const t = await newApp();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: '<img src=x onerror=alert(1)>' });
    const call = await givenMissed(t, { accountId, userId, voicemail: { url: recordingUrl(), seconds: 14 } });
    const seen = await attention(t);
    expect(seen.missed.calls).toEqual([
      {
        callSid: call.callSid,
        accountId,
        accountName: `Account ${accountId}`,
        userId,
        userName: '<img src=x onerror=alert(1)>',
        at: new Date(call.at).toISOString(),
        waitSeconds: 125,
        reason: 'timed_out',
        voicemail: { seconds: 14, audio: `/v1/ops/missed-calls/${call.callSid}/voicemail` },
        callback: null,
      },
    ]);
    // The Twilio URL (which plays the message to whoever has the account's credentials) is not given out.
    expect(JSON.stringify(seen)).not.toContain('api.twilio.com');
  });

  it('when a call-back is under way and another is done, then each says so with the sysadmin named from the rota', async () => {
    const t = await newApp();
    await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([ALICE]).expect(200);
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const at = t.clock.now() - 30_000;
    const calling = await givenMissed(t, { accountId, userId, at, callback: { sysadminId: ALICE.id, agentCallSid: callSid(), at, state: 'calling' } });
    const done = await givenMissed(t, { accountId, userId, at: at - 1000, callback: { sysadminId: ALICE.id, agentCallSid: callSid(), at, state: 'connected' } });
    const seen = await attention(t);
    expect(seen.missed.calls.map((c) => [c.callSid, c.callback?.state, c.callback?.sysadminName])).toEqual([
      [calling.callSid, 'calling', 'Alice'],
      [done.callSid, 'connected', 'Alice'],
    ]);
  });

  it('when the account is renamed, then the new name shows at the next build (the call keeps its own if the account is gone)', async () => {
    const t = await newApp();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    await givenMissed(t, { accountId, userId });
    await givenMissed(t, { accountId: 'gone-account', userId: 'gone-user', accountName: 'Gone Ltd', userName: 'Gone Caller', at: t.clock.now() - 30_000 });
    expect((await attention(t)).missed.calls.map((c) => c.accountName)).toEqual(['Gone Ltd', `Account ${accountId}`]);
    await request(t.app).put(`/v1/accounts/${accountId}`).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`).send({ name: 'Renamed Ltd', sla: 'standard' }).expect(200);
    t.clock.advance(61_000);
    await eventually(async () => {
      expect((await attention(t)).missed.calls.map((c) => c.accountName)).toEqual(['Gone Ltd', 'Renamed Ltd']);
    }, 5000);
  });
});

describe('GET /v1/ops/missed-calls/{callSid}/voicemail', () => {
  // https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file: WAV without an extension, Basic auth when HTTP authentication is on.
  it('when an operator plays a message, then callgate fetches it from Twilio with the account credentials and streams the WAV, without them', async () => {
    const t = await newApp();
    const call = await givenMissed(t, { accountId: 'acct-vm', userId: 'user-vm', voicemail: { url: recordingUrl(), seconds: 1 } });
    const res = await asOperator(t, `/v1/ops/missed-calls/${call.callSid}/voicemail`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      r.on('end', () => {
        done(null, Buffer.concat(chunks));
      });
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/x-wav');
    const body = res.body as Buffer;
    expect(body.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(body.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(JSON.stringify(res.headers)).not.toContain(AUTH_TOKEN);
  });

  it("when Twilio answers with a redirect to the file's storage, then it is followed without the account's credentials", async () => {
    const storageSaw: (string | undefined)[] = [];
    const storage = createServer((req, res) => {
      storageSaw.push(req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'audio/x-wav' }).end(Buffer.from('RIFF....WAVE'));
    }).listen(0, '127.0.0.1');
    servers.push(storage);
    await new Promise((resolve) => storage.once('listening', resolve));
    const twilioSaw: (string | undefined)[] = [];
    const twilio = createServer((req, res) => {
      twilioSaw.push(req.headers.authorization);
      res.writeHead(302, { Location: `http://127.0.0.1:${String((storage.address() as AddressInfo).port)}/media/file.wav` }).end();
    }).listen(0, '127.0.0.1');
    servers.push(twilio);
    await new Promise((resolve) => twilio.once('listening', resolve));
    const t = await buildTestApp({ env: { TWILIO_API_URL: `http://127.0.0.1:${String((twilio.address() as AddressInfo).port)}` } });
    apps.push(t);
    const call = await givenMissed(t, { accountId: 'acct-vm', userId: 'user-vm', voicemail: { url: recordingUrl(), seconds: 1 } });
    const res = await asOperator(t, `/v1/ops/missed-calls/${call.callSid}/voicemail`).buffer(true);
    expect(res.status).toBe(200);
    expect(twilioSaw).toEqual([`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`]);
    expect(storageSaw).toEqual([undefined]);
  });

  it('when it is asked without a key or with a control panel key, then 401 and 403', async () => {
    const t = await newApp();
    const call = await givenMissed(t, { accountId: 'acct-vm', userId: 'user-vm', voicemail: { url: recordingUrl(), seconds: 1 } });
    const path = `/v1/ops/missed-calls/${call.callSid}/voicemail`;
    expect((await request(t.app).get(path)).status).toBe(401);
    expect((await request(t.app).get(path).set('Authorization', `Bearer ${CONTROL_PANEL_KEY}`)).status).toBe(403);
  });

  it("when the stored URL is another account's recording or another host, then 404 and the credentials are not sent", async () => {
    const t = await newApp();
    for (const url of [recordingUrl(`AC${hex(32)}`), `https://attacker.example/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE${hex(32)}`]) {
      const call = await givenMissed(t, { accountId: 'acct-vm', userId: 'user-vm', voicemail: { url, seconds: 1 } });
      const res = await asOperator(t, `/v1/ops/missed-calls/${call.callSid}/voicemail`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'This message is not a recording of this Twilio account.' } });
    }
  });

  it('when the missed call left no message, then 404', async () => {
    const t = await newApp();
    const call = await givenMissed(t, { accountId: 'acct-vm', userId: 'user-vm' });
    expect((await asOperator(t, `/v1/ops/missed-calls/${call.callSid}/voicemail`)).status).toBe(404);
  });
});

describe('GET /v1/ops/attention: dead letters and the guessing bound', () => {
  it('when an event could not be delivered, then it shows with its error and the names of whom it is about', async () => {
    const t = await newApp();
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId, { name: 'Grace Hopper' });
    const id = '0b9c3a5e-1f2d-8a4b-9c6d-7e8f9a0b1c2d';
    const event = {
      id,
      type: 'call.missed',
      occurredAt: new Date(t.clock.now() - 3_600_000).toISOString(),
      version: 1,
      data: { callSid: callSid(), accountId, userId, reason: 'timed_out', waitSeconds: 120 },
    };
    const letter = { event: JSON.stringify(event), type: event.type, attempts: 12, lastResult: 'http_5xx', appendedAt: t.clock.now() - 3_600_000, deadAt: t.clock.now() - 60_000 };
    await t.redis.hset(eventKeys.dead, id, JSON.stringify(letter));
    await t.redis.zadd(eventKeys.deadOrder, letter.deadAt, id);
    const seen = await attention(t);
    expect(seen.deadLetters.total).toBe(1);
    expect(seen.deadLetters.letters[0]).toMatchObject({
      id,
      type: 'call.missed',
      attempts: 12,
      lastResult: 'http_5xx',
      about: { accountId, accountName: `Account ${accountId}`, userId, userName: 'Grace Hopper', sysadminId: null },
    });
  });

  it('when wrong PINs were typed, then the standing shows them against the bound, with no account codes asked', async () => {
    const t = await newApp();
    const seen = await attention(t);
    expect(seen.guessing).toMatchObject({ bound: t.policy.line.guessBound, windowHours: t.policy.line.guessWindowHours, guesses: 0, accountCodesAsked: false });
  });
});

describe('GET /v1/ops/stream', () => {
  async function listen(t: TestApp): Promise<string> {
    const server = createServer(t.app).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  /** A viewer: counts the events of each name it has read. */
  function view(base: string, key = OPS_KEY) {
    const counts = new Map<string, number>();
    const controller = new AbortController();
    const opened = fetch(`${base}/v1/ops/stream`, { headers: { Authorization: `Bearer ${key}` }, signal: controller.signal });
    const reading = opened
      .then(async (res) => {
        if (res.body === null) return;
        let buffer = '';
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const name = /^event: (\w+)$/m.exec(buffer.slice(0, end))?.[1] ?? 'message';
            counts.set(name, (counts.get(name) ?? 0) + 1);
            buffer = buffer.slice(end + 2);
          }
        }
      })
      .catch(() => undefined);
    const close = (): void => {
      controller.abort();
    };
    return { opened, count: (name: string) => counts.get(name) ?? 0, close, reading };
  }

  it('when it is opened without a key or with a control panel key, then 401 and 403, and no stream', async () => {
    const t = await newApp();
    const base = await listen(t);
    expect((await fetch(`${base}/v1/ops/stream`)).status).toBe(401);
    expect((await fetch(`${base}/v1/ops/stream`, { headers: { Authorization: `Bearer ${CONTROL_PANEL_KEY}` } })).status).toBe(403);
  });

  it('when twenty viewers watch, then each gets the line every push and Redis is read once per push, as for one viewer', async () => {
    const t = await newApp();
    const base = await listen(t);
    const viewers = Array.from({ length: 20 }, () => view(base));
    const first = await viewers[0]?.opened;
    expect(first?.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await eventually(() => {
      for (const viewer of viewers) expect(viewer.count('now')).toBeGreaterThanOrEqual(1);
      for (const viewer of viewers) expect(viewer.count('attention')).toBeGreaterThanOrEqual(1);
    }, 5000);
    // The live view reads what the audit stream gained with one XRANGE a build: count them over three pushes.
    const seen = viewers.map((viewer) => viewer.count('now'));
    const sent = await commandsDuring(t.redis, keys.auditEvents, () =>
      eventually(() => {
        viewers.forEach((viewer, i) => {
          expect(viewer.count('now')).toBeGreaterThanOrEqual((seen[i] ?? 0) + 3);
        });
      }, 10_000),
    );
    const reads = sent.filter(([name]) => name === 'xrange');
    // One build per push for all twenty (a push may be in flight at either end of the window), not twenty.
    const pushes = Math.max(...viewers.map((viewer, i) => viewer.count('now') - (seen[i] ?? 0)));
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.length).toBeLessThanOrEqual(pushes + 2);
    for (const viewer of viewers) viewer.close();
    await Promise.all(viewers.map((viewer) => viewer.reading));
  }, 30_000);
});
