import { liveViewSchema, recentCallsSchema, type LiveView } from '../live-view-schema.js';
import { ApiError, createApi, type Api } from './api.js';
import { renderCalls } from './calls-view.js';
import { byId } from './dom.js';
import { timeOf } from './format.js';
import { renderNow } from './now-view.js';
import { createRotaView } from './rota-view.js';
import { forgetKey, refusalOf, signIn, storedKey } from './sign-in.js';

/**
 * The on-call console. It polls two JSON routes with the operator's key: the live view every
 * two seconds (the server rebuilds it at most once a second for all viewers) and the recent
 * calls every fifteen. A hidden tab does not poll.
 */
const LIVE_EVERY_MS = 2000;
const CALLS_EVERY_MS = 15_000;

const status = byId('status', HTMLParagraphElement);
const announcer = byId('announcer', HTMLParagraphElement);
let lastAnnounced = '';

/** Tells a screen reader what changed that matters (who waits, an error), not every redraw. */
function announce(text: string): void {
  if (text === lastAnnounced) return;
  lastAnnounced = text;
  announcer.textContent = text;
}

const refused = (error: unknown): error is ApiError => error instanceof ApiError && (error.status === 401 || error.status === 403);

function every(ms: number, tick: () => Promise<void>, isStopped: () => boolean): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    clearTimeout(timer);
    if (isStopped()) return;
    const work = document.hidden ? Promise.resolve() : tick();
    void work.finally(() => {
      if (!isStopped()) timer = setTimeout(run, ms);
    });
  };
  run();
  return run;
}

function showConsole(api: Api): void {
  let stopped = false;
  const consoleEl = byId('console', HTMLDivElement);
  const signOut = byId('sign-out', HTMLButtonElement);
  consoleEl.hidden = false;
  signOut.hidden = false;
  const names = new Map<string, string>();
  // The recent calls are redrawn at once when someone joins or leaves the line, not only every 15 s.
  let waitingTotal = -1;
  let refreshCalls = (): void => undefined;

  const stop = (error: ApiError): void => {
    if (stopped) return;
    stopped = true;
    forgetKey();
    consoleEl.hidden = true;
    signOut.hidden = true;
    status.textContent = '';
    void signIn(refusalOf(error)).then(showConsole);
  };
  const rota = createRotaView(api, stop);

  const live = every(
    LIVE_EVERY_MS,
    async () => {
      try {
        const view: LiveView = await api('GET', '/v1/ops/now', liveViewSchema);
        for (const s of view.sysadmins) names.set(s.id, s.name ?? s.id);
        renderNow(view);
        rota.syncWith(view.sysadmins.filter((s) => s.onRota).map((s) => s.id));
        status.textContent = `Live · updated ${timeOf(view.at)}`;
        if (waitingTotal !== -1 && view.waiting.total !== waitingTotal) refreshCalls();
        waitingTotal = view.waiting.total;
        announce(byId('waiting-summary', HTMLParagraphElement).textContent);
      } catch (error) {
        if (refused(error)) {
          stop(error);
          return;
        }
        status.textContent = `Live data unavailable: ${error instanceof Error ? error.message : 'unknown error'} Retrying…`;
        announce('Live data unavailable; retrying.');
      }
    },
    () => stopped,
  );
  const calls = every(
    CALLS_EVERY_MS,
    async () => {
      try {
        renderCalls(await api('GET', '/v1/ops/calls', recentCallsSchema), names);
      } catch (error) {
        if (refused(error)) stop(error);
      }
    },
    () => stopped,
  );
  refreshCalls = calls;
  document.onvisibilitychange = () => {
    if (document.hidden) return;
    live();
    calls();
  };
  rota.load().catch((error: unknown) => {
    if (refused(error)) stop(error);
  });
  signOut.onclick = () => {
    forgetKey();
    // A fresh page: no caller's name stays in the document after signing out.
    location.reload();
  };
}

const key = storedKey();
if (key === null) void signIn().then(showConsole);
else showConsole(createApi(key));
