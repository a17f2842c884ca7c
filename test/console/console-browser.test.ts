import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { scriptedKeypad, type SimulatedTwilio } from '../../sim/simulated-twilio.js';
import { DEMO_POLICY, KIM, pinOf, SAM, seedDemoLine, type Api } from '../../tools/demo-line.js';
import { apiClient, simulatorFor, startLocalStack, type LocalStack } from '../../tools/local-stack.js';
import { eventually } from '../helpers/eventually.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';
import { createBusySysadmins } from '../../src/oncall/busy-sysadmins.js';
import { launchChromium, newPageWatch, openWatchedConsole } from './chromium.js';

/**
 * The console in a real browser against a whole local stack: callgate, the Twilio simulator,
 * sysadmin phones that never answer (so the caller keeps waiting and the pager keeps ringing).
 * Screenshots go to test/console/artifacts/ (gitignored; kept by CI as artefacts).
 */
const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const KEY_PREFIX = `console-browser-${randomBytes(4).toString('hex')}:`;

let stack: LocalStack;
let base: string;
let panel: Api;
let browser: { context: BrowserContext; close(): Promise<void> } | undefined;
let sim: SimulatedTwilio;
const calls: Promise<unknown>[] = [];
const watch = newPageWatch({ dialogs: false });

beforeAll(async () => {
  stack = await startLocalStack({ policy: DEMO_POLICY, redisUrl: inject('redisUrl'), keyPrefix: KEY_PREFIX, log: createLogger({ level: 'info', destination: logSink }) });
  rememberSecret(stack.opsKey);
  rememberSecret(stack.controlPanelKey);
  base = stack.instances[0]?.url ?? '';
  panel = await seedDemoLine(stack, base);
  // Speed 4: a page rings Twilio's 15 + 5 s in 5 real seconds, long enough to be seen polling every 2 s.
  sim = simulatorFor(stack, { speed: 4, print: () => undefined });
  sim.answerPages(SAM.phone, { label: 'Sam', answers: 'no-answer' });
  sim.answerPages(KIM.phone, { label: 'Kim', answers: 'no-answer' });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  // Undefined when chromium did not start: the stack is still stopped, and the start's error is the one reported.
  await browser?.close();
  await Promise.all(calls);
  await sim.settled();
  await stack.stop();
  expect(watch).toEqual(newPageWatch({ dialogs: false }));
}, 90_000);

async function openConsole(size = DESKTOP): Promise<Page> {
  if (browser === undefined) throw new Error('chromium did not start');
  return openWatchedConsole(browser.context, base, size, watch);
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('Operator key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the on-call console in chromium', () => {
  it('when a control panel key or an unknown key is given, then the page refuses it and says why', async () => {
    const page = await openConsole();
    await signIn(page, stack.controlPanelKey);
    await page.getByRole('alert').filter({ hasText: 'This API key may not use this endpoint.' }).waitFor();
    expect(await page.locator('#sign-in-error').textContent()).toContain('a control panel key will not do');
    await signIn(page, 'not-a-key-at-all');
    await page.getByRole('alert').filter({ hasText: 'That key was not recognised.' }).waitFor();
    expect(await page.locator('#console').isHidden()).toBe(true);
    expect(page.url()).toBe(`${base}/console/`);
    await page.close();
  });

  it('when an operator signs in and a verified caller is held, then the caller and the ringing pager show within seconds', async () => {
    const page = await openConsole();
    await signIn(page, stack.opsKey);
    await page.getByRole('heading', { name: 'Callers waiting' }).waitFor();
    expect(page.url()).toBe(`${base}/console/`);
    expect(await page.evaluate('sessionStorage.length')).toBe(1);

    const pin = await pinOf(panel, 'ada');
    rememberSecret(pin);
    calls.push(sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${pin}#`]), hangUpAfterQueueSeconds: 80 }));
    const ops = apiClient(base, stack.opsKey);
    await eventually(async () => {
      expect(((await ops('GET', '/v1/ops/now')).body as { waiting: { total: number } }).waiting.total).toBe(1);
    }, 20_000);
    const held = Date.now();
    const card = page.locator('#waiting li', { hasText: 'Ada Lovelace' });
    await card.waitFor({ timeout: 5000 });
    expect(Date.now() - held).toBeLessThan(5000);
    expect(await card.textContent()).toMatch(/admin contact.*Demo Hosting Ltd · plan managed platform.*Waiting/);

    await page.locator('#waiting .paging', { hasText: /Pager ringing (Sam|Kim) Sysadmin since/ }).waitFor({ timeout: 10_000 });
    await page.locator('#sysadmins li', { hasText: /Pager ringing for Ada Lovelace \(Demo Hosting Ltd\)/ }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: new URL('console-desktop.png', ARTIFACTS).pathname, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: new URL('console-phone.png', ARTIFACTS).pathname, fullPage: true });
    await page.close();
  }, 60_000);

  it('when the rota is reordered, added to and trimmed in the page, then the API list changes, with the API own messages', async () => {
    const ops = apiClient(base, stack.opsKey);
    const rotaIds = async () => ((await ops('GET', '/v1/oncall')).body as { id: string }[]).map((s) => s.id);
    const page = await openConsole(PHONE);
    await signIn(page, stack.opsKey);
    await page.getByRole('button', { name: 'Move down Sam Sysadmin' }).click();
    await page.getByRole('status').filter({ hasText: 'Sam Sysadmin moved down to number 2.' }).waitFor();
    expect(await rotaIds()).toEqual(['kim', 'sam']);
    // Keyboard users keep their place: focus stays with the moved sysadmin (now last, so on "Move up").
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Move up Sam Sysadmin');

    await page.getByLabel('Id').fill('lee');
    await page.getByLabel('Name').fill('Lee <b>Admin</b>');
    await page.getByLabel(/^Phone/).fill('07700 900123');
    await page.getByRole('button', { name: 'Add to the end of the rota' }).click();
    await page.locator('#rota-phone-error', { hasText: 'expected an E.164 number such as +447700900123' }).waitFor();
    expect(await rotaIds()).toEqual(['kim', 'sam']);

    await page.getByLabel(/^Phone/).fill('+447700900123');
    await page.getByRole('button', { name: 'Add to the end of the rota' }).click();
    // The name is shown as text: the markup in it is not HTML.
    await page.locator('#rota li', { hasText: 'Lee <b>Admin</b>' }).waitFor();
    expect(await page.locator('#rota b').count()).toBe(0);
    expect(await rotaIds()).toEqual(['kim', 'sam', 'lee']);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove Lee <b>Admin</b>' }).click();
    await page.getByRole('status').filter({ hasText: 'removed from the rota' }).waitFor();
    expect(await rotaIds()).toEqual(['kim', 'sam']);
    await page.close();
  }, 60_000);

  it('when another operator changes the rota while the page shows it, then a move from the page does not undo their change', async () => {
    const ops = apiClient(base, stack.opsKey);
    const rota = async () => (await ops('GET', '/v1/oncall')).body as { id: string; name: string; phone: string }[];
    const page = await openConsole(DESKTOP);
    await signIn(page, stack.opsKey);
    await page.locator('#rota li').first().waitFor();
    const [first, second] = await rota();
    if (first === undefined || second === undefined) throw new Error('the demo rota has two sysadmins');
    // Another operator gives the first sysadmin a new phone: same people, same order, so the page has no reason to reload.
    const newPhone = '+447700900777';
    expect((await ops('PUT', '/v1/oncall', [{ ...first, phone: newPhone }, second].map(({ id, name, phone }) => ({ id, name, phone })))).status).toBe(200);

    await page.getByRole('button', { name: `Move down ${first.name}` }).click();
    await page.getByRole('status').filter({ hasText: 'Another operator changed the rota just now.' }).waitFor();
    await page.locator('#rota li', { hasText: newPhone }).waitFor();
    await page.screenshot({ path: new URL('console-rota-conflict.png', ARTIFACTS).pathname, fullPage: true });
    expect(await rota()).toEqual([{ ...first, phone: newPhone }, second]);

    // Made again on the list as it is now, the move goes through and keeps the new phone.
    await page.getByRole('button', { name: `Move down ${first.name}` }).click();
    await page.getByRole('status').filter({ hasText: `${first.name} moved down to number 2.` }).waitFor();
    expect(await rota()).toEqual([second, { ...first, phone: newPhone }]);
    await page.close();
  }, 60_000);

  it('when a sysadmin is held busy by a call that has sent nothing for longer than the policy allows, then the card raises an alarm', async () => {
    // Kim's call last sent a webhook 2 h ago and still keeps her busy (its end was never reported).
    const redis = new Redis(inject('redisUrl'), { keyPrefix: KEY_PREFIX });
    const now = Date.now();
    await createBusySysadmins(redis).set(KIM.id, { kind: 'connected', callSid: 'CA-silent-call', until: now + 3_600_000, heardAt: now - 2 * 3_600_000 });
    redis.disconnect();
    const page = await openConsole();
    await signIn(page, stack.opsKey);
    const card = page.locator('#sysadmins li', { hasText: /No news from this call since/ });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getAttribute('data-sysadmin')).toBe(KIM.id);
    expect(await card.getByRole('alert').textContent()).toMatch(/a long conversation, or its end was never reported/);
    // Also listed with what needs a human, with the day and the line's clock.
    expect(await page.locator(`#sysadmin-alarms li[data-sysadmin="${KIM.id}"]`).textContent()).toMatch(/^Kim Sysadmin has been on a call with no news since \w{3} \d\d:\d\d\.$/);
    await page.screenshot({ path: new URL('console-busy-without-news.png', ARTIFACTS).pathname, fullPage: true });
    await page.close();
  }, 30_000);
});
