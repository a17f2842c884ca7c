import { afterAll, describe, expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { createLogger } from '../../src/logger.js';
import { createQueueCleanup } from '../../src/oncall/queue-cleanup.js';
import { createTwilioDialer } from '../../src/oncall/twilio-dialer.js';
import { keys } from '../../src/redis/keys.js';
import { eventually } from '../helpers/eventually.js';
import request from 'supertest';
import { api } from '../helpers/givens.js';
import { buildTestApp, OPS_KEY, policyWith, type TestApp } from '../helpers/test-app.js';
import { newCallSid, signedWebhooks, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import { ALICE, givenWaitingCaller } from './oncall-helpers.js';

/**
 * Waiting in one's own queue. Twilio's QueuePosition counts only the caller's own queue
 * (always 1 here), so the place in line is callgate's count across plans; and the wait
 * document is short enough that the maximum wait holds, whatever the hold music
 * (https://www.twilio.com/docs/voice/twiml/enqueue: the wait URL is re-requested when its document ends).
 */
const rest = await startTwilioRestApi();
const apps: TestApp[] = [];
/** An app with Alice on call (unless `rota` says otherwise). */
async function newApp(options: Parameters<typeof buildTestApp>[0] & { rota?: unknown[] } = {}): Promise<TestApp> {
  const { rota, ...rest_ } = options;
  const app = await buildTestApp({ ...rest_, env: { TWILIO_API_URL: rest.url, ...options.env } });
  apps.push(app);
  const res = await request(app.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send(rota ?? [ALICE]);
  expect(res.status).toBe(200);
  return app;
}
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});
const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const SAY = '<Say voice="Polly.Amy" language="en-GB">';

describe('waiting for a sysadmin', () => {
  it('when callers of two plans wait, then each hears their real place in line: higher plan first, then by wait', async () => {
    const t = await newApp();
    const standard = await givenWaitingCaller(t, { sla: 'standard' });
    const managed = await givenWaitingCaller(t, { sla: 'managed_platform' });
    // Twilio says 1 for both (each is alone in their own queue).
    expect(twimlOf(await managed.call.wait(1, 5))).toBe(
      `${XML}<Response>${SAY}You are number 1 in the queue. Please hold.</Say><Pause length="15"/>` +
        `${SAY}Thank you for holding. An engineer will be with you as soon as possible.</Say></Response>`,
    );
    expect(twimlOf(await standard.call.wait(1, 10))).toContain('You are number 2 in the queue.');
  });

  it('when a wait fetch reads a caller half-way off the line (a sysadmin taking them), then it holds them, not <Leave/>', async () => {
    const t = await newApp();
    const { call } = await givenWaitingCaller(t);
    // Between the fetch's commands: their place in line still there, their stored entry already gone.
    await t.redis.hdel(keys.waitingCallers, call.callSid);
    const answer = twimlOf(await call.wait(1, 10));
    expect(answer).not.toContain('<Leave/>');
    expect(answer).toContain('<Pause length="15"/>');
  });

  it('when hold music is configured, then it plays only while it ends before the maximum wait', async () => {
    const t = await newApp({ policy: policyWith({ queue: { maxWaitSeconds: 120, holdMusicUrl: 'https://cdn.example.com/hold.mp3', holdMusicSeconds: 40 } }) });
    const { call } = await givenWaitingCaller(t, { sla: 'standard' });
    expect(twimlOf(await call.wait(1, 10))).toContain('<Play>https://cdn.example.com/hold.mp3</Play>');
    // 30 s left: the 40 s track would overrun the maximum wait, so a spoken pause instead.
    const late = twimlOf(await call.wait(1, 90));
    expect(late).not.toContain('<Play>');
    expect(late).toContain('<Pause length="15"/>');
    expect(twimlOf(await call.wait(1, 120))).toBe(`${XML}<Response><Leave/></Response>`);
  });

  it('when the caller leaves their queue, then callgate deletes the queue in Twilio', async () => {
    const t = await newApp();
    const { call } = await givenWaitingCaller(t, { sla: 'standard' });
    // <Enqueue> created the queue (https://www.twilio.com/docs/voice/twiml/enqueue); the caller has left it.
    const queue = rest.queues.open(`cg-${call.callSid}`);
    await call.queueResultIn(queue.sid, 'hangup', 12);
    await eventually(() => {
      expect(rest.queues.bySid(queue.sid)).toBeUndefined();
    });
  });

  it('when the longest wait is reached, then the caller leaves the queue and is offered a message after the tone', async () => {
    const t = await newApp();
    const { call, accountId, userId } = await givenWaitingCaller(t);
    expect(twimlOf(await call.wait(1, 595))).toContain('<Pause length="5"/>');
    expect(twimlOf(await call.wait(1, 600))).toBe(`${XML}<Response><Leave/></Response>`);
    // https://www.twilio.com/docs/voice/twiml/record: an empty recording requests no action, the next verb runs.
    expect(twimlOf(await call.queueResult('leave', 600))).toBe(
      `${XML}<Response>${SAY}We are sorry, no engineer can take your call right now. Please leave a message after the tone, saying what is wrong, and press the hash key when you have finished.</Say>` +
        '<Record action="https://callgate.example.com/twilio/voicemail" method="POST" maxLength="120" finishOnKey="#" playBeep="true" timeout="5" ' +
        'recordingStatusCallback="https://callgate.example.com/twilio/recording" recordingStatusCallbackMethod="POST"/>' +
        `${SAY}We did not hear a message. Your call has been logged and a ticket opened, and an engineer will call you back as soon as possible. Goodbye.</Say><Hangup/></Response>`,
    );
    await call.status('completed', 640);
    expect(((await api(t.app).get(`/v1/accounts/${accountId}/calls`)).body as { calls: unknown[] }).calls).toEqual([
      expect.objectContaining({ callSid: call.callSid, userId, outcome: 'timed_out', waitSeconds: 600, durationSeconds: 640, voicemail: null }),
    ]);
  });

  it('when nobody is on call, then the first wait fetch lets the caller leave a message at once', async () => {
    const t = await newApp({ rota: [] });
    const { call } = await givenWaitingCaller(t);
    expect(twimlOf(await call.wait(1, 3))).toBe(`${XML}<Response><Leave/></Response>`);
    expect(twimlOf(await call.queueResult('leave', 3))).toContain('<Record ');
  });

  it('when every page to every sysadmin fails, then the caller is offered a message without waiting for the maximum', async () => {
    rest.behave('fail');
    const t = await newApp();
    const { call } = await givenWaitingCaller(t);
    await t.pager.tick();
    expect(twimlOf(await call.wait(1, 10))).toBe(`${XML}<Response><Leave/></Response>`);
  });

  it('when the caller leaves a message, then they are thanked, and the recording callback puts it in the call history', async () => {
    const t = await newApp();
    const { call, accountId } = await givenWaitingCaller(t);
    await call.queueResult('leave', 600);
    const post = signedWebhooks(t.app, t.config);
    const thanks = await post('/twilio/voicemail', { CallSid: call.callSid, RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', RecordingDuration: '42', Digits: '#' });
    expect(spoken(twimlOf(thanks))).toEqual(['Thank you. Your message has been recorded and a ticket opened. An engineer will call you back as soon as possible. Goodbye.']);
    const url = `https://api.twilio.com/2010-04-01/Accounts/${t.config.twilio.accountSid}/Recordings/RE${'b'.repeat(32)}`;
    const callback = { CallSid: call.callSid, RecordingSid: `RE${'b'.repeat(32)}`, RecordingUrl: url, RecordingStatus: 'completed', RecordingDuration: '42' };
    // Twilio may send the callback twice: one voicemail, one audit line, one event (by id).
    twimlOf(await post('/twilio/recording', callback));
    twimlOf(await post('/twilio/recording', callback));
    const outbox = (await t.redis.xrange('callgate:{events}:outbox', '-', '+')).map(([, fields]) => fields[3]);
    expect(outbox.filter((type) => type === 'voicemail.recorded')).toHaveLength(1);
    const audit = (await t.redis.xrange('callgate:{audit}:events', '-', '+')).map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { type: string });
    expect(audit.filter((event) => event.type === 'voicemail')).toHaveLength(1);
    expect(((await api(t.app).get(`/v1/accounts/${accountId}/calls`)).body as { calls: unknown[] }).calls).toEqual([
      expect.objectContaining({ callSid: call.callSid, voicemail: { url, seconds: 42 } }),
    ]);
  });

  it('when a recording callback names a call nobody missed, or is unsigned, then nothing is recorded', async () => {
    const t = await newApp();
    const { call, accountId } = await givenWaitingCaller(t);
    const recording = { CallSid: call.callSid, RecordingSid: `RE${'c'.repeat(32)}`, RecordingUrl: 'https://api.twilio.com/x.wav', RecordingStatus: 'completed', RecordingDuration: '9' };
    // Still waiting: not a missed call; and a call callgate never saw.
    twimlOf(await signedWebhooks(t.app, t.config)('/twilio/recording', recording));
    twimlOf(await signedWebhooks(t.app, t.config)('/twilio/recording', { ...recording, CallSid: newCallSid() }));
    expect((await request(t.app).post('/twilio/recording').type('form').send(recording)).status).toBe(403);
    await call.queueResult('leave', 600);
    expect(((await api(t.app).get(`/v1/accounts/${accountId}/calls`)).body as { calls: { voicemail: unknown }[] }).calls[0]?.voicemail).toBeNull();
  });

  it('when a caller queue was left behind (its <Enqueue> action never came), then the sweep deletes it, and only empty caller queues', async () => {
    const t = await newApp();
    const leftBehind = rest.queues.open(`cg-CA${'1'.repeat(32)}`);
    const someoneElses = rest.queues.open('sales');
    const cleanup = createQueueCleanup({ redis: t.redis, dialer: createTwilioDialer(t.config), log: createLogger({ level: 'silent' }) });
    const later = Date.now() + 11 * 60_000;
    expect(await cleanup.sweep(Date.now())).toBe(0); // not in the first ten minutes
    expect(await cleanup.sweep(later)).toBeGreaterThanOrEqual(1);
    expect(rest.queues.bySid(leftBehind.sid)).toBeUndefined();
    expect(rest.queues.bySid(someoneElses.sid)).toBeDefined();
    // One sweep per ten minutes across all instances.
    expect(await cleanup.sweep(later + 1_000)).toBe(0);
  });
});
