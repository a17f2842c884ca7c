import type { z } from 'zod';
import { attentionSchema, type Attention } from '../attention-schema.js';
import { liveViewSchema, recentCallsSchema, type LiveView } from '../live-view-schema.js';
import { createApi, readStream, type StreamMessage } from './api.js';
import { isRefusal, type ApiError } from './api-errors.js';
import { renderCalls } from './calls-view.js';
import { createDeadLettersView } from './dead-letters-view.js';
import { byId } from './dom.js';
import { clockOf, lineZone, useLineClock } from './format.js';
import { renderGuessing } from './guessing-view.js';
import { createMissedView } from './missed-view.js';
import { renderNow } from './now-view.js';
import { createRotaView } from './rota-view.js';
import { forgetKey, refusalOf, signIn, storedKey } from './sign-in.js';

// The on-call console, pushed by callgate over one stream: a lost stream is opened again after a
// pause, and one silent too long (a proxy holding it, a sleeping laptop) is dropped and opened again.
const RECONNECT_AFTER_MS = 2000;
const SILENT_TOO_LONG_MS = 10_000;

const status = byId('status', HTMLParagraphElement);
const announcer = byId('announcer', HTMLParagraphElement);
let lastAnnounced = '';

/** Tells a screen reader what changed that matters (who waits, an error), not every redraw. */
function announce(text: string): void {
  if (text === lastAnnounced) return;
  lastAnnounced = text;
  announcer.textContent = text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function showConsole(key: string): void {
  let stopped = false;
  const isStopped = (): boolean => stopped;
  const api = createApi(key);
  const consoleEl = byId('console', HTMLDivElement);
  const signOut = byId('sign-out', HTMLButtonElement);
  consoleEl.hidden = false;
  signOut.hidden = false;
  let connection = new AbortController();
  let lastNowAt = 0;
  // Each event's last data: drawn again when the page learns the line's clock.
  const latest = new Map<string, string>();
  let attentionShown = '';

  const stop = (error: ApiError): void => {
    if (stopped) return;
    stopped = true;
    connection.abort();
    forgetKey();
    consoleEl.hidden = true;
    signOut.hidden = true;
    status.textContent = '';
    void signIn(refusalOf(error)).then(showConsole);
  };
  const rota = createRotaView(api, stop);
  const missed = createMissedView(key, stop);
  const deadLetters = createDeadLettersView(api, stop);

  function showAttention(attention: Attention): void {
    // Rebuilt every few seconds with a new time only: redrawn when something shown changed.
    const shown = JSON.stringify({ ...attention, at: null });
    if (shown === attentionShown) return;
    attentionShown = shown;
    missed.render(attention.missed);
    deadLetters.render(attention.deadLetters);
    renderGuessing(attention.guessing);
  }

  function showNow(view: LiveView): void {
    lastNowAt = Date.now();
    if (useLineClock(view.line.timeZone, view.line.locale)) {
      // Every time on the page is written again in the line's zone.
      attentionShown = '';
      for (const [event, data] of latest) if (event !== 'now') onMessage({ event, data });
    }
    renderNow(view);
    rota.syncWith(view.sysadmins.filter((s) => s.onRota).map((s) => s.id));
    status.textContent = `Live · updated ${clockOf(view.at)} · times in ${lineZone() ?? 'this browser’s time zone'}`;
    announce(byId('waiting-summary', HTMLParagraphElement).textContent);
  }

  // Parsed with the server's own schemas; an unknown event is left alone.
  function onMessage({ event, data }: StreamMessage): void {
    const show = <T>(schema: z.ZodType<T>, then: (value: T) => void): void => {
      const parsed = schema.safeParse(JSON.parse(data));
      if (!parsed.success) {
        status.textContent = 'callgate sent something this page does not understand; reload it.';
        return;
      }
      latest.set(event, data);
      then(parsed.data);
    };
    if (event === 'now') show(liveViewSchema, showNow);
    else if (event === 'calls') show(recentCallsSchema, renderCalls);
    else if (event === 'attention') show(attentionSchema, showAttention);
  }

  async function follow(): Promise<void> {
    while (!stopped) {
      connection = new AbortController();
      try {
        await readStream(key, onMessage, connection.signal);
      } catch (error) {
        if (isRefusal(error)) stop(error);
      }
      // Signing out or a refused key ends the loop while the stream was read.
      if (isStopped()) return;
      status.textContent = 'Live updates interrupted; reconnecting…';
      announce('Live data unavailable; retrying.');
      await sleep(RECONNECT_AFTER_MS);
    }
  }
  void follow();
  const watchdog = setInterval(() => {
    if (stopped) clearInterval(watchdog);
    else if (lastNowAt !== 0 && Date.now() - lastNowAt > SILENT_TOO_LONG_MS) {
      lastNowAt = Date.now();
      connection.abort();
    }
  }, SILENT_TOO_LONG_MS / 2);

  rota.load().catch((error: unknown) => {
    if (isRefusal(error)) stop(error);
  });
  signOut.onclick = () => {
    forgetKey();
    // A fresh page: no caller's name stays in the document after signing out.
    location.reload();
  };
}

const key = storedKey();
if (key === null) void signIn().then(showConsole);
else showConsole(key);
