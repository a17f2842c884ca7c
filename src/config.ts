import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The process environment, parsed once at start. No other module reads
 * `process.env`: everything else receives the parsed `Config`.
 */

/**
 * Loopback: `localhost`, 127.0.0.0/8 and ::1 (as a URL's hostname spells it, `[::1]`). Plain http is
 * allowed only there: anything else would carry the auth token, signatures or events in clear text.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]' || hostname === '::1') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
  .transform((value) => {
    const at = value.lastIndexOf(':');
    return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
  });

const hostPortList = commaList.pipe(z.array(hostPort).min(1, 'expected at least one host:port'));

/** A CIDR such as `10.0.0.0/8` or `2001:db8::/32`; a bare address means just that host. */
export const cidrSchema = z.string().refine((value) => {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}, 'expected an IP address or CIDR such as 10.0.0.0/8');

const cidrList = commaList.pipe(z.array(cidrSchema).min(1));

// Long random bearer tokens: a short key is a guessable key.
const apiKeyList = commaList.pipe(
  z.array(z.string().min(16, 'each key must be at least 16 characters')).min(1, 'at least one key is required'),
);

// express understands the names below as well as addresses; plain `true` would
// trust any X-Forwarded-For a caller makes up, so it is refused.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const trustProxy = z.union([
  z.string().regex(/^\d+$/).transform(Number),
  commaList.pipe(
    z.array(
      z.string().refine((item) => PROXY_NAMES.has(item) || cidrSchema.safeParse(item).success, {
        message: 'expected a hop count or a list of CIDRs (never "true")',
      }),
    ).min(1),
  ),
]);

/**
 * Every action URL and every signature check is PUBLIC_BASE_URL + "/twilio/...", and
 * callgate serves its routes at the root: a path prefix would need a proxy that strips
 * it (and signatures are over the URL Twilio used), a query or fragment would land in
 * the middle of every action URL, and credentials in it would be sent to Twilio.
 * So only a bare origin ("https://host[:port]", optionally with "/") is accepted.
 */
function baseUrlProblems(value: string, url: URL): string[] {
  return [
    ...(value.includes('?') || value.includes('#') ? ['must not have a query string or fragment'] : []),
    ...(url.username !== '' || url.password !== '' ? ['must not contain a user name or password'] : []),
    ...(url.pathname !== '/' ? ['must not have a path: callgate serves /twilio/... at the root of this URL'] : []),
  ];
}

/** An http(s) URL that must be https unless it points at this machine (SPEC §6). */
const httpsUnlessLoopback = () =>
  z.url({ protocol: /^https?$/ }).refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }, 'must be https (plain http is allowed only for localhost)');

const publicBaseUrl = httpsUnlessLoopback()
  .superRefine((value, ctx) => {
    const url = new URL(value);
    for (const problem of baseUrlProblems(value, url)) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => value.replace(/\/+$/, ''));

// Where events go (docs/events.md): https, or http only to this machine.
const eventsUrl = httpsUnlessLoopback();

// An escalation policy's or schedule's id at PagerDuty ("PT20YPA") or Opsgenie (a UUID).
const sourceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected the id of the escalation policy or schedule');

// Where /metrics and /readyz listen: an address (or localhost), loopback unless an operator opens it.
const bindHost = z.string().refine((value) => value === 'localhost' || isIP(value) !== 0, 'expected an IP address or localhost');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    INTERNAL_HOST: bindHost.default('127.0.0.1'),
    PUBLIC_BASE_URL: publicBaseUrl,
    REDIS_URL: z
      .url({ protocol: /^rediss?$/ })
      .refine((url) => redisPasswordOf(url) !== undefined, 'its password is not valid percent-encoding (write a % as %25)')
      .optional(),
    REDIS_SENTINELS: hostPortList.optional(),
    REDIS_SENTINEL_NAME: z.string().min(1).optional(),
    REDIS_CLUSTER_NODES: hostPortList.optional(),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits'),
    TWILIO_AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters'),
    // Every REST request carries the auth token: https, or http only to a local stand-in.
    TWILIO_API_URL: httpsUnlessLoopback().default('https://api.twilio.com'),
    SUPPORT_PHONE_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +442071234567'),
    // The From of the calls that page sysadmins: a Twilio number or a verified caller ID.
    PAGE_CALLER_ID: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +442071234567').optional(),
    CONTROL_PANEL_API_KEYS: apiKeyList,
    OPS_API_KEYS: apiKeyList,
    PIN_SECRET: z.string().refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes'),
    POLICY_FILE: z.string().min(1).optional(),
    CONTROL_PANEL_ALLOWED_CIDRS: cidrList.optional(),
    OPS_ALLOWED_CIDRS: cidrList.optional(),
    TRUST_PROXY: trustProxy.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EVENTS_URL: eventsUrl.optional(),
    EVENTS_SECRET: z.string().refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes').optional(),
    // Where the rota comes from (docs/rota-sources.md): callgate's own list by default.
    ROTA_SOURCE: z.enum(['builtin', 'pagerduty', 'opsgenie']).default('builtin'),
    ROTA_SYNC_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
    PAGERDUTY_API_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    PAGERDUTY_ESCALATION_POLICY_ID: sourceId.optional(),
    PAGERDUTY_SCHEDULE_ID: sourceId.optional(),
    // Every request carries the token or key: https, or http only to a local stand-in.
    PAGERDUTY_API_URL: httpsUnlessLoopback().default('https://api.pagerduty.com'),
    OPSGENIE_API_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
    OPSGENIE_SCHEDULE_ID: sourceId.optional(),
    OPSGENIE_API_URL: httpsUnlessLoopback().default('https://api.opsgenie.com'),
  })
  .superRefine((env, ctx) => {
    if (env.EVENTS_URL !== undefined && env.EVENTS_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['EVENTS_SECRET'], message: 'is required when EVENTS_URL is set' });
    }
    for (const clash of secretClashes(env)) {
      ctx.addIssue({ code: 'custom', path: [clash.variable], message: `must differ from ${clash.sameAs}: each secret serves one purpose` });
    }
    for (const problem of rotaSourceProblems(env)) ctx.addIssue({ code: 'custom', ...problem });
    if (env.INTERNAL_PORT !== 0 && env.INTERNAL_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['INTERNAL_PORT'], message: 'must differ from PORT: /metrics and /readyz are not served to the public' });
    }
  });

/** What the chosen rota source needs: its credential and exactly one thing to read. */
function rotaSourceProblems(env: {
  ROTA_SOURCE: string;
  PAGERDUTY_API_TOKEN?: string | undefined;
  PAGERDUTY_ESCALATION_POLICY_ID?: string | undefined;
  PAGERDUTY_SCHEDULE_ID?: string | undefined;
  OPSGENIE_API_KEY?: string | undefined;
  OPSGENIE_SCHEDULE_ID?: string | undefined;
}): { path: string[]; message: string }[] {
  const required = (variable: keyof typeof env): { path: string[]; message: string }[] =>
    env[variable] === undefined ? [{ path: [variable], message: `is required when ROTA_SOURCE is ${env.ROTA_SOURCE}` }] : [];
  if (env.ROTA_SOURCE === 'pagerduty') {
    const targets = [env.PAGERDUTY_ESCALATION_POLICY_ID, env.PAGERDUTY_SCHEDULE_ID].filter((id) => id !== undefined).length;
    return [
      ...required('PAGERDUTY_API_TOKEN'),
      ...(targets === 1 ? [] : [{ path: ['PAGERDUTY_ESCALATION_POLICY_ID'], message: 'set exactly one of PAGERDUTY_ESCALATION_POLICY_ID or PAGERDUTY_SCHEDULE_ID' }]),
    ];
  }
  if (env.ROTA_SOURCE === 'opsgenie') return [...required('OPSGENIE_API_KEY'), ...required('OPSGENIE_SCHEDULE_ID')];
  return [];
}

/**
 * Every secret the process holds, by the variable it came from. One value serving two purposes
 * lets whoever holds one role act as the other: operator keys that equal PIN_SECRET put the PIN
 * key in every operator's hands, and an EVENTS_SECRET equal to it hands it to the control panel.
 */
/**
 * The password ioredis will send for a Redis URL: the URL's own (percent-decoded), else a
 * `?password=` parameter. Undefined when it cannot be decoded.
 */
function redisPasswordOf(url: string): string | undefined {
  const parsed = new URL(url);
  try {
    return parsed.password !== '' ? decodeURIComponent(parsed.password) : (parsed.searchParams.get('password') ?? '');
  } catch {
    return undefined;
  }
}

function secretsOf(env: {
  TWILIO_AUTH_TOKEN: string;
  PIN_SECRET: string;
  EVENTS_SECRET?: string | undefined;
  PAGERDUTY_API_TOKEN?: string | undefined;
  OPSGENIE_API_KEY?: string | undefined;
  REDIS_URL?: string | undefined;
  CONTROL_PANEL_API_KEYS: string[];
  OPS_API_KEYS: string[];
}): { variable: string; value: string }[] {
  const redisPassword = env.REDIS_URL === undefined ? '' : (redisPasswordOf(env.REDIS_URL) ?? '');
  return [
    { variable: 'TWILIO_AUTH_TOKEN', value: env.TWILIO_AUTH_TOKEN },
    { variable: 'PIN_SECRET', value: env.PIN_SECRET },
    ...(env.EVENTS_SECRET === undefined ? [] : [{ variable: 'EVENTS_SECRET', value: env.EVENTS_SECRET }]),
    ...(redisPassword === '' ? [] : [{ variable: 'REDIS_URL', value: redisPassword }]),
    ...env.CONTROL_PANEL_API_KEYS.map((value) => ({ variable: 'CONTROL_PANEL_API_KEYS', value })),
    ...env.OPS_API_KEYS.map((value) => ({ variable: 'OPS_API_KEYS', value })),
    ...(env.PAGERDUTY_API_TOKEN === undefined ? [] : [{ variable: 'PAGERDUTY_API_TOKEN', value: env.PAGERDUTY_API_TOKEN }]),
    ...(env.OPSGENIE_API_KEY === undefined ? [] : [{ variable: 'OPSGENIE_API_KEY', value: env.OPSGENIE_API_KEY }]),
  ];
}

/** Each pair of variables that hold the same secret, once, named by the later one; never the value. */
function secretClashes(env: Parameters<typeof secretsOf>[0]): { variable: string; sameAs: string }[] {
  const holders = new Map<string, Set<string>>();
  const clashes = new Map<string, { variable: string; sameAs: string }>();
  for (const { variable, value } of secretsOf(env)) {
    const earlier = holders.get(value) ?? new Set<string>();
    // A key listed twice in one variable is a typo, not a secret shared between two roles.
    for (const sameAs of earlier) if (sameAs !== variable) clashes.set(`${variable}=${sameAs}`, { variable, sameAs });
    holders.set(value, earlier.add(variable));
  }
  return [...clashes.values()];
}

export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[] };

/** Where the rota comes from: callgate's own list (PUT /v1/oncall), or read from the team's tool every `syncMs`. */
export type RotaSourceConfig =
  | { kind: 'builtin' }
  | { kind: 'pagerduty'; apiUrl: string; token: string; target: { escalationPolicyId: string } | { scheduleId: string }; syncMs: number }
  | { kind: 'opsgenie'; apiUrl: string; apiKey: string; scheduleId: string; syncMs: number };

export interface Config {
  port: number;
  /** Where /metrics and /readyz are served: never the listener Twilio reaches. */
  internal: { port: number; host: string };
  publicBaseUrl: string;
  redis: RedisTarget;
  twilio: { accountSid: string; authToken: string; apiUrl: string };
  supportPhoneNumber: string;
  /** The caller ID of pages to sysadmins; SUPPORT_PHONE_NUMBER unless PAGE_CALLER_ID is set. */
  pageCallerId: string;
  apiKeys: { controlPanel: string[]; ops: string[] };
  allowedCidrs: { controlPanel: string[] | undefined; ops: string[] | undefined };
  pinSecret: string;
  policyFile: string | undefined;
  trustProxy: number | string[] | undefined;
  logLevel: string;
  /** Where events are delivered, signed with `secret`; undefined: they stay in the capped outbox. */
  events: { url: string; secret: string } | undefined;
  rotaSource: RotaSourceConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Which Redis to use is decided by which variables are set; checked apart so it is reported with the rest. */
function redisModeProblems(present: Record<string, string>): string[] {
  const modes = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter((name) => name in present);
  const problems =
    modes.length === 1
      ? []
      : ['REDIS_URL: set exactly one of REDIS_URL, REDIS_SENTINELS (with REDIS_SENTINEL_NAME) or REDIS_CLUSTER_NODES'];
  if ('REDIS_SENTINELS' in present && !('REDIS_SENTINEL_NAME' in present)) {
    problems.push('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS');
  }
  return problems;
}

/** Parses the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable is treated as unset, as shells and compose files often produce them.
  const present = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems = [
    ...redisModeProblems(present),
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const variable = String(issue.path[0] ?? 'environment');
          const message = issue.code === 'invalid_type' && !(variable in present) ? 'is required' : issue.message;
          return `${variable}: ${message}`;
        })),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    internal: { port: e.INTERNAL_PORT, host: e.INTERNAL_HOST },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    redis: redisTarget(e),
    twilio: { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, apiUrl: e.TWILIO_API_URL },
    supportPhoneNumber: e.SUPPORT_PHONE_NUMBER,
    pageCallerId: e.PAGE_CALLER_ID ?? e.SUPPORT_PHONE_NUMBER,
    apiKeys: { controlPanel: e.CONTROL_PANEL_API_KEYS, ops: e.OPS_API_KEYS },
    allowedCidrs: { controlPanel: e.CONTROL_PANEL_ALLOWED_CIDRS, ops: e.OPS_ALLOWED_CIDRS },
    pinSecret: e.PIN_SECRET,
    policyFile: e.POLICY_FILE,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    events: e.EVENTS_URL === undefined || e.EVENTS_SECRET === undefined ? undefined : { url: e.EVENTS_URL, secret: e.EVENTS_SECRET },
    rotaSource: rotaSourceOf(e),
  };
}

function rotaSourceOf(e: z.infer<typeof envSchema>): RotaSourceConfig {
  // The schema's checks (rotaSourceProblems) made sure the chosen source has what it needs.
  const syncMs = e.ROTA_SYNC_SECONDS * 1000;
  const { PAGERDUTY_ESCALATION_POLICY_ID: policyId, PAGERDUTY_SCHEDULE_ID: scheduleId } = e;
  const target = policyId !== undefined ? { escalationPolicyId: policyId } : scheduleId !== undefined ? { scheduleId } : undefined;
  if (e.ROTA_SOURCE === 'pagerduty' && e.PAGERDUTY_API_TOKEN !== undefined && target !== undefined) {
    return { kind: 'pagerduty', apiUrl: e.PAGERDUTY_API_URL, token: e.PAGERDUTY_API_TOKEN, target, syncMs };
  }
  if (e.ROTA_SOURCE === 'opsgenie' && e.OPSGENIE_API_KEY !== undefined && e.OPSGENIE_SCHEDULE_ID !== undefined) {
    return { kind: 'opsgenie', apiUrl: e.OPSGENIE_API_URL, apiKey: e.OPSGENIE_API_KEY, scheduleId: e.OPSGENIE_SCHEDULE_ID, syncMs };
  }
  return { kind: 'builtin' };
}

function redisTarget(e: z.infer<typeof envSchema>): RedisTarget {
  if (e.REDIS_SENTINELS !== undefined && e.REDIS_SENTINEL_NAME !== undefined) {
    return { kind: 'sentinel', sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME };
  }
  if (e.REDIS_CLUSTER_NODES !== undefined) return { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES };
  if (e.REDIS_URL !== undefined) return { kind: 'standalone', url: e.REDIS_URL };
  throw new ConfigError(['REDIS_URL: no Redis configured']);
}
