import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventKeys } from '../../src/events/event-keys.js';
import { createLogger } from '../../src/logger.js';
import { createMissedCallers } from '../../src/oncall/missed-callers.js';
import { createOncallPins } from '../../src/oncall/oncall-pins.js';
import { DEMO_POLICY, KIM, SAM, seedDemoLine, type Api } from '../../tools/demo-line.js';
import { apiClient, startLocalStack, type LocalStack } from '../../tools/local-stack.js';
import { eventually } from '../helpers/eventually.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';
import { launchChromium, newPageWatch, openWatchedConsole } from './chromium.js';

/**
 * The console's "Needs attention" panels in a real browser against a local stack: missed
 * callers and their messages (played through callgate from the Twilio stand-in), dead letters
 * and their redelivery, the guessing bound, a locked-out sysadmin; every name is one that tries
 * to inject markup and must show as text. Screenshots go to test/console/artifacts/ (gitignored).
 */
const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const KEY_PREFIX = `console-attention-${randomBytes(4).toString('hex')}:`;
const MARKUP = '<img src=x onerror=alert(1)>';
const ACCOUNT = 'markup-hosting';

let stack: LocalStack;
let base: string;
let panel: Api;
let redis: Redis;
let browser: { context: BrowserContext; close(): Promise<void> } | undefined;
const watch = newPageWatch({ dialogs: true });
const hex = (n: number) => randomBytes(n / 2).toString('hex');

beforeAll(async () => {
  stack = await startLocalStack({ policy: DEMO_POLICY, redisUrl: inject('redisUrl'), keyPrefix: KEY_PREFIX, log: createLogger({ level: 'info', destination: logSink }) });
  rememberSecret(stack.opsKey);
  rememberSecret(stack.controlPanelKey);
  rememberSecret(stack.config.twilio.authToken);
  base = stack.instances[0]?.url ?? '';
  panel = await seedDemoLine(stack, base);
  // An account and a caller whose names try to inject markup.
  expect((await panel('PUT', `/v1/accounts/${ACCOUNT}`, { name: `${MARKUP} Ltd`, sla: 'standard' })).status).toBe(201);
  expect((await panel('PUT', `/v1/accounts/${ACCOUNT}/users/mallory`, { name: MARKUP, permissions: ['manage_support'] })).status).toBe(201);
  redis = new Redis(inject('redisUrl'), { keyPrefix: KEY_PREFIX });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  redis.disconnect();
  await stack.stop();
  expect(watch).toEqual(newPageWatch({ dialogs: true }));
}, 60_000);

async function openConsole(size = DESKTOP): Promise<Page> {
  if (browser === undefined) throw new Error('chromium did not start');
  const page = await openWatchedConsole(browser.context, base, size, watch);
  await page.getByLabel('Operator key').fill(stack.opsKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
  return page;
}

const recordingUrl = () => `https://api.twilio.com/2010-04-01/Accounts/${stack.config.twilio.accountSid}/Recordings/RE${hex(32)}`;

describe('what needs a human, in chromium', () => {
  it('when a caller named with markup was missed and left a message, then the card names them as text, says why, plays the message, and shows a call-back done', async () => {
    const missed = createMissedCallers(redis, { windowMs: 12 * 3_600_000 });
    const now = Date.now();
    const withMessage = await missed.record({
      callSid: `CA${hex(32)}`,
      accountId: ACCOUNT,
      accountName: 'stored name',
      userId: 'mallory',
      userName: 'stored name',
      from: '+447700900555',
      at: now - 5 * 60_000,
      waitSeconds: 125,
      reason: 'timed_out',
    });
    await missed.attachVoicemail(withMessage.callSid, { url: recordingUrl(), seconds: 1 });
    await missed.record({
      callSid: `CA${hex(32)}`,
      accountId: 'demo-hosting',
      accountName: 'Demo Hosting Ltd',
      userId: 'ada',
      userName: 'Ada Lovelace',
      from: '+447700900111',
      at: now - 10 * 60_000,
      waitSeconds: 40,
      reason: 'hung_up',
      callback: { sysadminId: SAM.id, agentCallSid: `CA${hex(32)}`, at: now - 8 * 60_000, state: 'connected' },
    });

    const page = await openConsole();
    const card = page.locator(`#missed li[data-missed="${withMessage.callSid}"]`);
    await card.waitFor({ timeout: 10_000 });
    // The directory's names, as text: no element was made of them.
    expect(await card.locator('strong').textContent()).toBe(MARKUP);
    expect(await card.textContent()).toContain(`${MARKUP} Ltd`);
    expect(await page.locator('#missed img').count()).toBe(0);
    expect(await card.textContent()).toMatch(/Missed \w{3} \d\d:\d\d after 2 min 05 s: nobody took the call before the longest wait/);
    expect(await card.textContent()).toContain('Not called back yet');
    await page.locator('#missed li', { hasText: 'Ada Lovelace' }).getByText('Called back').waitFor();
    expect(await page.locator('#missed li', { hasText: 'Ada Lovelace' }).textContent()).toContain(`by ${SAM.name}`);
    expect(await page.locator('#missed-summary').textContent()).toMatch(/^2 missed in the last \d+ h; 1 not called back yet\.$/);

    await page.getByRole('button', { name: `Play the message from ${MARKUP} (1 s)` }).click();
    const player = card.locator('audio');
    await player.waitFor();
    // The WAV came through callgate (a blob in memory) and the browser decoded its second of audio.
    await eventually(async () => {
      const state = await player.evaluate((element) => {
        // The test's own types have no DOM: the audio element's fields, named.
        const audio = element as unknown as { src: string; readyState: number; duration: number };
        return [audio.src.startsWith('blob:'), audio.readyState >= 1, Math.round(audio.duration)];
      });
      expect(state).toEqual([true, true, 1]);
    }, 5000);
    // The player stays while the list changes under it (another caller missed meanwhile).
    const src = await player.getAttribute('src');
    await missed.record({ ...withMessage, callSid: `CA${hex(32)}`, at: Date.now(), reason: 'no_one_on_call' });
    await page.locator('#missed li', { hasText: 'nobody on call could be paged' }).waitFor({ timeout: 10_000 });
    expect(await card.locator('audio').getAttribute('src')).toBe(src);
    await page.screenshot({ path: new URL('console-missed-callers.png', ARTIFACTS).pathname, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: new URL('console-missed-callers-phone.png', ARTIFACTS).pathname, fullPage: true });
    await page.close();
  }, 60_000);

  it('when an event about a caller named with markup could not be delivered, then it shows with its error and the redeliver button puts it back', async () => {
    const id = '3f1e2d4c-5b6a-8c7d-9e0f-1a2b3c4d5e6f';
    const now = Date.now();
    const event = {
      id,
      type: 'call.missed',
      occurredAt: new Date(now - 3_600_000).toISOString(),
      version: 1,
      data: { callSid: `CA${hex(32)}`, accountId: ACCOUNT, userId: 'mallory', reason: 'timed_out', waitSeconds: 120 },
    };
    await redis.hset(eventKeys.dead, id, JSON.stringify({ event: JSON.stringify(event), type: event.type, attempts: 14, lastResult: 'http_5xx', appendedAt: now - 3_600_000, deadAt: now - 60_000 }));
    await redis.zadd(eventKeys.deadOrder, now - 60_000, id);

    const page = await openConsole();
    const row = page.locator(`#dead-letters tr[data-event="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(`call missed${MARKUP} · ${MARKUP} Ltd`);
    expect(await row.textContent()).toContain('http_5xx after 14 attempts');
    expect(await page.locator('#dead-letters img').count()).toBe(0);
    expect(await page.locator('#dead-letters-summary').textContent()).toBe('1 event could not be delivered to the control panel.');
    await page.screenshot({ path: new URL('console-dead-letters.png', ARTIFACTS).pathname, fullPage: true });

    await page.getByRole('button', { name: `Redeliver the call missed event about ${MARKUP} · ${MARKUP} Ltd` }).click();
    await page.getByRole('status').filter({ hasText: 'is back in the outbox' }).waitFor();
    await row.waitFor({ state: 'detached' });
    const ops = apiClient(base, stack.opsKey);
    const list = (await ops('GET', '/v1/ops/events/dead-letters')).body as { deadLetters: { event: { id: string } }[] };
    expect(list.deadLetters.map((letter) => letter.event.id)).not.toContain(id);
    expect(await page.locator('#dead-letters-summary').textContent()).toBe('Every event reached the control panel.');
    await page.close();
  }, 60_000);

  it('when the page is open, then the guessing bound stands in the panel and the data comes pushed over one stream, not polled', async () => {
    if (browser === undefined) throw new Error('chromium did not start');
    const paths: string[] = [];
    const page = await browser.context.newPage();
    page.on('request', (request) => paths.push(new URL(request.url()).pathname));
    await page.goto(`${base}/console/`);
    await page.getByLabel('Operator key').fill(stack.opsKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#guessing', { hasText: /wrong PINs in the last 24 h with \d+ PINs live: the chance they found one is .* \(bound .*\)/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#guessing-alarm').isHidden()).toBe(true);
    // Times in the line's zone, said so.
    await page.locator('#status', { hasText: /Live · updated \w{3} \d\d:\d\d:\d\d · times in Europe\/London/ }).waitFor();
    const firstUpdate = await page.locator('#status').textContent();
    await page.locator('#status').filter({ hasNotText: firstUpdate ?? '' }).waitFor({ timeout: 5000 });
    // Sign-in checks the key once; after that only the stream (and the rota panel's own read).
    expect(paths.filter((path) => path === '/v1/ops/now')).toHaveLength(1);
    expect(paths.filter((path) => path === '/v1/ops/stream')).toHaveLength(1);
    expect(paths.filter((path) => path === '/v1/ops/calls' || path === '/v1/ops/attention')).toHaveLength(0);
    await page.close();
  }, 30_000);

  it('when a sysadmin named with markup is locked out of their on-call PIN, then their card says so, naming them as text', async () => {
    const ops = apiClient(base, stack.opsKey);
    const lee = { id: 'lee', name: MARKUP, phone: '+447700900123' };
    expect((await ops('PUT', '/v1/oncall', [SAM, KIM, lee])).status).toBe(200);
    const pins = createOncallPins(redis, stack.config.pinSecret);
    const pin = '24681357';
    const wrong = '000000';
    rememberSecret(pin);
    rememberSecret(wrong);
    await pins.set(lee.id, pin);
    for (let i = 0; i < 5; i += 1) await pins.check(lee.id, wrong, Date.now());

    const page = await openConsole();
    const card = page.locator(`#sysadmins li[data-sysadmin="${lee.id}"]`);
    await card.getByRole('alert').filter({ hasText: 'PIN entry closed until an operator sets a new on-call PIN' }).waitFor({ timeout: 10_000 });
    expect(await card.locator('strong').textContent()).toBe(MARKUP);
    expect(await page.locator('#sysadmins img').count()).toBe(0);
    // Also listed with what needs a human.
    const listed = page.locator(`#sysadmin-alarms li[data-sysadmin="${lee.id}"]`);
    expect(await listed.textContent()).toBe(`${MARKUP} is locked out of their on-call PIN (5 wrong in 24 h): set a new one for them.`);
    expect(await page.locator('#sysadmin-alarms img').count()).toBe(0);
    await page.screenshot({ path: new URL('console-sysadmin-locked-out.png', ARTIFACTS).pathname, fullPage: true });
    await page.close();
    expect((await ops('PUT', '/v1/oncall', [SAM, KIM])).status).toBe(200);
  }, 30_000);
});
