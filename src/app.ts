import type { RequestListener } from 'node:http';
import { createAuditLog } from './audit/audit-log.js';
import { createAbuseLimits } from './calls/abuse-limits.js';
import { createCallFlow } from './calls/call-flow.js';
import { createVerifiedCallers } from './calls/verified-callers.js';
import { createAdmissions, createCallStates } from './calls/call-state.js';
import { createQueueFlow } from './calls/queue-flow.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { accountBodySchema } from './directory/directory-schema.js';
import { createDirectoryService } from './directory/directory-service.js';
import { createDirectoryStore } from './directory/directory-store.js';
import { createEvents } from './events/events.js';
import { createSupportHours } from './hours/support-hours.js';
import { createSupportLine } from './hours/support-line.js';
import { createKeyCheck } from './http/bearer-auth.js';
import { routerOf } from './http/api-route.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { createInternalApp, expressApp } from './http/internal-app.js';
import { directoryRoutes } from './http/routes/directory-routes.js';
import { oncallRoutes } from './http/routes/oncall-routes.js';
import { opsEventsRoutes } from './http/routes/ops-events-routes.js';
import { pinRoutes } from './http/routes/pin-routes.js';
import { supportLineRoutes } from './http/routes/support-line-routes.js';
import { isWebhookUrl } from './http/twilio/webhook-handler.js';
import { twilioWebhooks } from './http/twilio/voice-webhooks.js';
import { loadPromptCatalogue, type PromptCatalogue } from './ivr/prompt-catalogue.js';
import { createAgentTwimlRenderer } from './ivr/render-agent-twiml.js';
import { createTwimlRenderer } from './ivr/render-twiml.js';
import type { Logger } from './logger.js';
import { addGuessBoundGauges, addPinRiskGauges, createMetrics } from './metrics/metrics.js';
import { addLineGauges } from './metrics/line-gauges.js';
import { createAgentCalls } from './oncall/agent-calls.js';
import { createAgentFlow } from './oncall/agent-flow.js';
import { createBridgeBooks } from './oncall/bridge-books.js';
import { agentUrls } from './oncall/agent-urls.js';
import { createBusySysadmins } from './oncall/busy-sysadmins.js';
import { createOncallPins } from './oncall/oncall-pins.js';
import { createPhoneInCalls } from './oncall/phone-in-calls.js';
import { createPageOutcomes } from './oncall/page-outcomes.js';
import { createQueueCleanup } from './oncall/queue-cleanup.js';
import { createOutboxCallEvents } from './oncall/outbox-call-events.js';
import { createMissedCallers } from './oncall/missed-callers.js';
import { createVoicemailFlow } from './calls/voicemail-flow.js';
import { createConsoleFeed } from './console/console-feed.js';
import { consolePage } from './console/console-page.js';
import { opsConsoleRoutes } from './http/routes/ops-console-routes.js';
import { createLiveStream } from './console/live-stream.js';
import { createVoicemailAudio } from './console/voicemail-audio.js';
import { createOncallStore } from './oncall/oncall-store.js';
import { createRotaSync, rotaReaderOf } from './oncall/rota-source/rota-sync.js';
import { createPager } from './oncall/pager.js';
import { createTwilioDialer, type Dialer } from './oncall/twilio-dialer.js';
import { createWaitingCallers, waitedSeconds } from './oncall/waiting-callers.js';
import { createPinService } from './pins/pin-service.js';
import { createPinStore } from './pins/pin-store.js';
import type { Policy } from './policy/policy-schema.js';
import type { RedisClient } from './redis/connect-redis.js';

export interface AppDeps {
  config: Config;
  policy: Policy;
  log: Logger;
  redis: RedisClient;
  clock: Clock;
  /** Places the calls that page sysadmins; by default Twilio's REST API at TWILIO_API_URL. */
  dialer?: Dialer;
  /** What the IVR says; by default loaded from twiml/ for the policy's language. */
  catalogue?: PromptCatalogue;
}

/**
 * Builds callgate from its dependencies; it never listens (main.ts does). `app` is the public listener
 * (Twilio's webhooks, then the API, console and /healthz); `internal` serves probes and Prometheus only.
 */
export function createApp({ config, policy, log, redis, clock, dialer, ...deps }: AppDeps) {
  const metrics = createMetrics();
  redis.on('error', () => {
    metrics.redisErrors.inc({ kind: 'connection' });
  });
  const store = createDirectoryStore(redis);
  const pins = createPinStore(redis, clock, {
    secret: config.pinSecret,
    pin: policy.pin,
    accountCodeDigits: policy.line.accountCodeDigits,
    guessWindowMs: policy.line.guessWindowHours * 3_600_000,
  });
  addPinRiskGauges(metrics, pins.liveCount, policy.pin.digits);
  const eventOutbox = createEvents({ redis, clock, config, policy, log, registry: metrics.registry });
  const { outbox } = eventOutbox;
  const limits = createAbuseLimits({
    redis,
    clock,
    policy,
    secret: config.pinSecret,
    log,
    metrics,
    onLockout: async (lockout) => {
      const data = { ...lockout, lockedUntil: new Date(lockout.lockedUntil).toISOString() };
      await outbox.emit(outbox.event('pin.locked_out', data, `${lockout.callerNumber}:${String(lockout.lockedUntil)}`));
    },
  });
  addGuessBoundGauges(metrics, () => limits.standing(), policy.line.guessBound);
  const hours = createSupportHours(policy);
  const supportLine = createSupportLine({ policy, hours, clock, phoneNumber: config.supportPhoneNumber });
  const directory = createDirectoryService({ store, policy });
  const pinService = createPinService({ store, pins, policy, supportLine });
  const audit = createAuditLog({ redis, clock, log, metrics });

  const oncall = createOncallStore(redis);
  const rotaReader = rotaReaderOf(config.rotaSource);
  const rotaSync = rotaReader === undefined ? undefined : createRotaSync({ reader: rotaReader, oncall, log, metrics });
  const oncallPins = createOncallPins(redis, config.pinSecret);
  const waiting = createWaitingCallers(redis);
  const busy = createBusySysadmins(redis);
  addLineGauges(metrics, { waiting, oncall, busy, now: () => clock.now() });
  const agentCalls = createAgentCalls(redis);
  const line = { policy, clock, audit, log, waiting, busy, agentCalls, oncall };
  const twilioRest = dialer ?? createTwilioDialer(config);
  const urls = agentUrls(config.publicBaseUrl);
  const cleanup = createQueueCleanup({ redis, dialer: twilioRest, log });
  const missed = createMissedCallers(redis, {
    windowMs: policy.voicemail.missedForHours * 3_600_000,
    callBack: { allowedCountries: policy.callbacks.allowedCountries, supportNumber: config.supportPhoneNumber },
  });
  const events = createOutboxCallEvents(outbox);
  const voicemail = createVoicemailFlow({ missed, events, audit, clock, log });
  // The pager and the page outcomes need each other: outcomes nudge the pager, which settles early outcomes.
  const nudgePager = (): void => {
    pager.requestTick();
  };
  const outcomes = createPageOutcomes({ ...line, restMs: policy.oncall.ringSeconds * 1000, nudge: nudgePager });
  const pager = createPager({
    ...line,
    dialer: twilioRest,
    hours,
    urls,
    metrics,
    outcomes,
    // Called back on the number kept at admission (none: as a withheld caller, the control panel is told).
    callerGone: async (caller, lastSeen) => {
      const { from = '' } = await calls.get(caller.callSid);
      const waitSeconds = waitedSeconds(caller, lastSeen);
      await voicemail.callerMissed(caller, { from, waitSeconds, reason: 'hung_up' });
      // The call history says what the call-back list says.
      const { callSid, accountId, userId } = caller;
      await audit.record({ type: 'abandoned', callSid, accountId, userId, waitSeconds });
    },
    alsoOnTick: async (now) => {
      // First: the others talk to Twilio's REST API and may take long in an outage.
      await books.settleUnreported(now);
      await cleanup.retryDue(now);
      await cleanup.sweep(now);
    },
  });
  const books = createBridgeBooks({ ...line, events, callerMissed: (...args) => voicemail.callerMissed(...args) });
  const agent = createAgentFlow({
    ...line,
    oncallPins,
    outcomes,
    books,
    missed,
    events,
    phoneIn: {
      calls: createPhoneInCalls(redis),
      dialer: twilioRest,
      urls,
      ringSeconds: policy.oncall.ringSeconds,
      metrics,
      onPinBurst: async ({ sysadminId, failures, since, windowMs, locked }) => {
        const windowHours = Math.round(windowMs / 3_600_000);
        const data = { sysadminId, failures, since: new Date(since).toISOString(), windowHours, locked };
        await outbox.emit(outbox.event('oncall_pin.failures', data, `${sysadminId}:${String(since)}:${String(failures)}`));
      },
    },
  });
  const calls = createCallStates(redis);
  const leases = createAdmissions(redis);
  const verified = createVerifiedCallers({ policy, hours, nudgePager, audit });
  const flow = createCallFlow({ clock, policy, hours, verified, calls, limits, audit });
  const queueFlow = createQueueFlow({ ...line, calls, pager, missed, books, leases, voicemail, cleanup });
  const catalogue = deps.catalogue ?? loadPromptCatalogue(policy.voice.language);
  const twiml = createTwimlRenderer({ policy, catalogue, baseUrl: config.publicBaseUrl });

  const feed = createConsoleFeed({
    ...{ ...line, redis, hours, oncallPins, directory: store },
    needs: { missed, deadLetters: eventOutbox.deadLetters, standing: () => limits.standing() },
  });
  const consoleStream = createLiveStream(feed, {
    onError: (err: unknown) => {
      log.debug({ err }, 'console stream: a read failed');
    },
  });
  const accountBody = accountBodySchema(Object.keys(policy.tiers) as [string, ...string[]]);
  const v1Routes = [
    ...directoryRoutes({ directory, pinService, accountBody }),
    ...pinRoutes({ pinService }),
    ...supportLineRoutes({ directory, audit, supportLine }),
    ...oncallRoutes({ oncall, oncallPins, rotaSync }),
    ...opsConsoleRoutes({ feed, stream: consoleStream, missed, audio: createVoicemailAudio(config.twilio) }),
    ...opsEventsRoutes({ deadLetters: eventOutbox.deadLetters }),
  ];
  const openApi = buildOpenApiDocument(v1Routes);
  const requireKey = createKeyCheck(config.apiKeys, config.allowedCidrs);

  const webhooks = twilioWebhooks({
    flow,
    queueFlow,
    voicemail,
    agent,
    twiml,
    agentTwiml: createAgentTwimlRenderer({ policy, catalogue, baseUrl: config.publicBaseUrl, supportNumber: config.supportPhoneNumber }),
    authToken: config.twilio.authToken,
    publicBaseUrl: config.publicBaseUrl,
    metrics,
    log,
  });

  // Of the probes only /healthz is public: /readyz and /metrics are on the internal listener.
  const app = expressApp(log, metrics, (api) => {
    api.set('trust proxy', config.trustProxy ?? false);
    api.get('/openapi.json', (_req, res) => {
      res.json(openApi);
    });
    api.use('/v1', routerOf(v1Routes, requireKey));
    api.use('/console', consolePage());
  });
  const listener: RequestListener = (req, res) => {
    if (isWebhookUrl(req.url ?? '')) webhooks(req, res);
    else app(req, res);
  };
  const internal = createInternalApp({
    redis,
    metrics,
    log,
    attention: async () => [
      ...((await pager.rotaEmptyWhileWaiting(clock.now())) ? ['rota_empty_while_callers_wait'] : []),
      ...(rotaSync?.status().failing === undefined ? [] : ['rota_source_unreadable']),
    ],
  });
  return { app: listener, internal, pager, eventOutbox, rotaSync, consoleStream };
}
