import { isIP } from 'node:net';
import { z } from 'zod';
import { E164 } from './caller-id.js';

// The process environment, parsed once at start: no other module reads `process.env`.

// Plain http is allowed only to this machine: anywhere else it would carry the auth token,
// signatures or events in clear text. A URL's hostname spells ::1 as `[::1]`.
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
  .transform((value) => ({ host: value.split(':')[0] ?? '', port: Number(value.split(':')[1]) }));
const hostPortList = commaList.pipe(z.array(hostPort).min(1, 'expected at least one host:port'));

/** A CIDR such as `10.0.0.0/8` or `2001:db8::/32`; a bare address means just that host. */
const cidrSchema = z.string().refine((value) => {
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

const port = z.coerce.number().int().min(0).max(65535);
const e164 = z.string().regex(E164, 'expected an E.164 number such as +442071234567');
const secret = z.string().refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes');
const sourceCredential = z.string().min(8, 'must be at least 8 characters');
// An escalation policy's or schedule's id at PagerDuty ("PT20YPA") or Opsgenie (a UUID).
const sourceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected the id of the escalation policy or schedule');

// express understands these names as well as addresses; plain `true` would
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

// Every request to these carries a token, a key or a signed event: https, or http to a local stand-in.
const httpsUnlessLoopback = () =>
  // abort: zod would otherwise run the refinements below on a string that is not a URL.
  z.url({ protocol: /^https?$/, abort: true }).refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }, 'must be https (plain http is allowed only for localhost)');

// Action URLs and signature checks are this + "/twilio/...": a path would need a proxy that strips
// it (signatures cover the URL Twilio used), a query would land inside every action URL, and
// credentials would be sent to Twilio. So only a bare origin is accepted.
const publicBaseUrl = httpsUnlessLoopback()
  .superRefine((value, ctx) => {
    const url = new URL(value);
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
    };
    if (value.includes('?') || value.includes('#')) problem('must not have a query string or fragment');
    if (url.username !== '' || url.password !== '') problem('must not contain a user name or password');
    if (url.pathname !== '/') problem('must not have a path: callgate serves /twilio/... at the root of this URL');
  })
  .transform((value) => value.replace(/\/+$/, ''));

// Where /metrics and /readyz listen.
const bindHost = z
  .string()
  .refine((value) => value === 'localhost' || isIP(value) !== 0, 'expected an IP address or localhost');

const envObject = z.object({
  PORT: port.default(3000),
  INTERNAL_PORT: port.default(3001),
  INTERNAL_HOST: bindHost.default('127.0.0.1'),
  PUBLIC_BASE_URL: publicBaseUrl,
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, abort: true })
    .refine((url) => redisPasswordOf(url) !== undefined, {
      message: 'its password is not valid percent-encoding (write a % as %25)',
    })
    .optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z.string().optional(),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits'),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  TWILIO_API_URL: httpsUnlessLoopback().default('https://api.twilio.com'),
  SUPPORT_PHONE_NUMBER: e164,
  // The From of the calls that page sysadmins: a Twilio number or a verified caller ID.
  PAGE_CALLER_ID: e164.optional(),
  CONTROL_PANEL_API_KEYS: apiKeyList,
  OPS_API_KEYS: apiKeyList,
  PIN_SECRET: secret,
  POLICY_FILE: z.string().optional(),
  CONTROL_PANEL_ALLOWED_CIDRS: cidrList.optional(),
  OPS_ALLOWED_CIDRS: cidrList.optional(),
  TRUST_PROXY: trustProxy.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EVENTS_URL: httpsUnlessLoopback().optional(),
  EVENTS_SECRET: secret.optional(),
  // Where the rota comes from (docs/rota-sources.md): callgate's own list by default.
  ROTA_SOURCE: z.enum(['builtin', 'pagerduty', 'opsgenie']).default('builtin'),
  ROTA_SYNC_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  PAGERDUTY_API_TOKEN: sourceCredential.optional(),
  PAGERDUTY_ESCALATION_POLICY_ID: sourceId.optional(),
  PAGERDUTY_SCHEDULE_ID: sourceId.optional(),
  PAGERDUTY_API_URL: httpsUnlessLoopback().default('https://api.pagerduty.com'),
  OPSGENIE_API_KEY: sourceCredential.optional(),
  OPSGENIE_SCHEDULE_ID: sourceId.optional(),
  OPSGENIE_API_URL: httpsUnlessLoopback().default('https://api.opsgenie.com'),
});
type Env = z.infer<typeof envObject>;

const envSchema = envObject.superRefine((env, ctx) => {
  const problem = (variable: keyof Env, message: string) => {
    ctx.addIssue({ code: 'custom', path: [variable], message });
  };
  if (env.EVENTS_URL !== undefined && env.EVENTS_SECRET === undefined) {
    problem('EVENTS_SECRET', 'is required when EVENTS_URL is set');
  }
  for (const [variable, sameAs] of secretClashes(env)) {
    problem(variable, `must differ from ${sameAs}: each secret serves one purpose`);
  }
  // The chosen rota source needs its credential and exactly one thing to read.
  const required = (variable: keyof Env) => {
    if (env[variable] === undefined) problem(variable, `is required when ROTA_SOURCE is ${env.ROTA_SOURCE}`);
  };
  if (env.ROTA_SOURCE === 'pagerduty') {
    required('PAGERDUTY_API_TOKEN');
    if ((env.PAGERDUTY_ESCALATION_POLICY_ID === undefined) === (env.PAGERDUTY_SCHEDULE_ID === undefined)) {
      const both = 'PAGERDUTY_ESCALATION_POLICY_ID or PAGERDUTY_SCHEDULE_ID';
      problem('PAGERDUTY_ESCALATION_POLICY_ID', `set exactly one of ${both}`);
    }
  }
  if (env.ROTA_SOURCE === 'opsgenie') {
    required('OPSGENIE_API_KEY');
    required('OPSGENIE_SCHEDULE_ID');
  }
  if (env.INTERNAL_PORT !== 0 && env.INTERNAL_PORT === env.PORT) {
    problem('INTERNAL_PORT', 'must differ from PORT: /metrics and /readyz are not served to the public');
  }
});

/** The password ioredis sends: the URL's own (percent-decoded), else `?password=`; undefined if undecodable. */
function redisPasswordOf(url: string): string | undefined {
  const parsed = new URL(url);
  try {
    return parsed.password !== '' ? decodeURIComponent(parsed.password) : (parsed.searchParams.get('password') ?? '');
  } catch {
    return undefined;
  }
}

/**
 * Each pair of variables holding one secret, named by the later one (never the value). One value
 * serving two purposes lets whoever holds one role act as the other: operator keys equal to
 * PIN_SECRET put the PIN key in every operator's hands.
 */
function secretClashes(env: Env): [keyof Env, keyof Env][] {
  const secrets: (readonly [keyof Env, string | undefined])[] = [
    ['TWILIO_AUTH_TOKEN', env.TWILIO_AUTH_TOKEN],
    ['PIN_SECRET', env.PIN_SECRET],
    ['EVENTS_SECRET', env.EVENTS_SECRET],
    ['REDIS_URL', env.REDIS_URL === undefined ? undefined : redisPasswordOf(env.REDIS_URL)],
    ...env.CONTROL_PANEL_API_KEYS.map((key) => ['CONTROL_PANEL_API_KEYS', key] as const),
    ...env.OPS_API_KEYS.map((key) => ['OPS_API_KEYS', key] as const),
    ['PAGERDUTY_API_TOKEN', env.PAGERDUTY_API_TOKEN],
    ['OPSGENIE_API_KEY', env.OPSGENIE_API_KEY],
  ];
  const holders = new Map<string, Set<keyof Env>>();
  const clashes = new Map<string, [keyof Env, keyof Env]>();
  for (const [variable, value] of secrets) {
    if (value === undefined || value === '') continue;
    const earlier = holders.get(value) ?? new Set<keyof Env>();
    // A key listed twice in one variable is a typo, not a secret shared between two roles.
    for (const sameAs of earlier) if (sameAs !== variable) clashes.set(`${variable}=${sameAs}`, [variable, sameAs]);
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

export type Config = ReturnType<typeof loadConfig>;

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
export function loadConfig(env: Record<string, string | undefined>) {
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
    // Where /metrics and /readyz are served: never the listener Twilio reaches.
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
    // Undefined: events stay in the capped outbox.
    events: e.EVENTS_URL === undefined || e.EVENTS_SECRET === undefined ? undefined : { url: e.EVENTS_URL, secret: e.EVENTS_SECRET },
    rotaSource: rotaSourceOf(e),
  };
}

// The checks above made sure the chosen source has what it needs.
function rotaSourceOf(e: Env): RotaSourceConfig {
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

function redisTarget(e: Env): RedisTarget {
  if (e.REDIS_SENTINELS !== undefined && e.REDIS_SENTINEL_NAME !== undefined) {
    return { kind: 'sentinel', sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME };
  }
  if (e.REDIS_CLUSTER_NODES !== undefined) return { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES };
  if (e.REDIS_URL !== undefined) return { kind: 'standalone', url: e.REDIS_URL };
  throw new ConfigError(['REDIS_URL: no Redis configured']);
}
