import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core. Playwright never downloads a browser here:
 * .ci/run installs the distribution's package when it is missing, and without it these
 * tests fail, saying so, rather than skip in silence.
 */
export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (.ci/run does)`);
  }
  // A fresh profile each run: no cache, no stored key, no state from a previous run.
  const profile = mkdtempSync(join(tmpdir(), 'callgate-console-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a console page did that it must not: each test expects all three empty at the end. */
export interface PageWatch {
  cspViolations: string[];
  /** Requests that left callgate (a message played from memory, `blob:`, does not). */
  foreignRequests: string[];
  /** Dialogs opened, dismissed at once: a name that ran as HTML would open alert(1). Without it, a test answers its own dialogs. */
  dialogs?: string[];
}

export const newPageWatch = (options: { dialogs: boolean }): PageWatch => ({
  cspViolations: [],
  foreignRequests: [],
  ...(options.dialogs ? { dialogs: [] } : {}),
});

/** A new page of `context` at `size`, watched into `watch`, on callgate's console at `base`. */
export async function openWatchedConsole(context: BrowserContext, base: string, size: { width: number; height: number }, watch: PageWatch): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(size);
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) watch.cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(`${base}/`) && !request.url().startsWith('blob:')) watch.foreignRequests.push(request.url());
  });
  const { dialogs } = watch;
  if (dialogs !== undefined) {
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  await page.goto(`${base}/console/`);
  return page;
}
