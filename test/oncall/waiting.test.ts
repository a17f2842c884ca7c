import { afterAll, describe, expect, it } from 'vitest';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestApp, policyWith, type TestApp } from '../helpers/test-app.js';
import { twimlOf } from '../helpers/twilio-webhooks.js';
import { givenWaitingCaller } from './oncall-helpers.js';

/**
 * Waiting in one's own queue. Twilio's QueuePosition counts only the caller's own queue
 * (always 1 here), so the place in line is callgate's count across plans; and the wait
 * document is short enough that the maximum wait holds, whatever the hold music
 * (https://www.twilio.com/docs/voice/twiml/enqueue: the wait URL is re-requested when its document ends).
 */
const rest = await startTwilioRestApi();
const apps: TestApp[] = [];
async function newApp(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const app = await buildTestApp({ ...options, env: { TWILIO_API_URL: rest.url, ...options.env } });
  apps.push(app);
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
});
