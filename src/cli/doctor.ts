import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createOncallPins } from '../oncall/oncall-pins.js';
import { createOncallStore } from '../oncall/oncall-store.js';
import { measureClockSkew } from '../redis/clock-skew.js';
import { connectRedis, whenReady } from '../redis/connect-redis.js';
import { callerIdFinding, redisFindings, rotaFindings, webhooksFinding, type Finding } from './doctor-findings.js';
import { fetchFallback, pingEventsReceiver } from './doctor-probes.js';
import { COMMAND_TIMEOUT_MS, isVerifiedCallerId, lookUpIncomingNumber, SetupError } from './incoming-numbers.js';
import { isCallgateFallback, type IncomingNumber } from './number-settings.js';
import { eventsReceiverFinding, fallbackFinding } from './probe-findings.js';
import { twilioClientFor, type TwilioClient } from '../twilio-client.js';

const REDIS_READY_MS = 3000;

/** Everything `npm run doctor` checks, in order; later checks are skipped when what they need failed. */
export async function runDoctor(env: Record<string, string | undefined>): Promise<Finding[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ check: 'environment', status: 'fail', detail: error.problems.join('; ') }];
  }
  // Independent, so at the same time: an unreachable Redis and Twilio each cost their timeout once.
  const [redis, twilio, events] = await Promise.all([redisChecks(config), twilioChecks(config, twilioClientFor(config, COMMAND_TIMEOUT_MS)), eventsCheck(config)]);
  return [{ check: 'environment', status: 'ok', detail: 'valid' }, ...redis, ...twilio, events];
}

async function redisChecks(config: Config): Promise<Finding[]> {
  const redis = connectRedis(config.redis, createLogger({ level: 'silent' }));
  try {
    await whenReady(redis, REDIS_READY_MS);
    // appendfsync is a setting, not in INFO; a managed Redis may refuse CONFIG (then "per its config").
    const appendfsync = await redis.config('GET', 'appendfsync').then(
      ([, value]) => value ?? 'per its config',
      () => 'per its config',
    );
    const server = { ...parseInfo(await redis.info('server'), await redis.info('persistence')), appendfsync };
    const findings = redisFindings(server, await measureClockSkew(redis));
    const rota = await createOncallStore(redis).list();
    const havePins = await createOncallPins(redis, config.pinSecret).have(rota.map((sysadmin) => sysadmin.id));
    return [...findings, ...rotaFindings(rota, havePins)];
  } catch (error) {
    const skipped = ['redis persistence', 'clock skew', 'rota', 'on-call PINs'].map((check): Finding => ({ check, status: 'skip', detail: 'Redis not reachable' }));
    return [{ check: 'redis', status: 'fail', detail: `not reachable: ${error instanceof Error ? error.message : String(error)}` }, ...skipped];
  } finally {
    redis.disconnect();
  }
}

/** The fields of Redis' INFO that matter here ("name:value" lines). */
function parseInfo(...sections: string[]): { version: string; aofEnabled: boolean } {
  const fields = new Map(sections.join('\n').split(/\r?\n/).map((line) => line.split(':', 2) as [string, string | undefined]));
  return { version: fields.get('redis_version') ?? 'of unknown version', aofEnabled: fields.get('aof_enabled') === '1' };
}

async function twilioChecks(config: Config, client: TwilioClient): Promise<Finding[]> {
  try {
    const number = await lookUpIncomingNumber(client, config.supportPhoneNumber);
    const credentials: Finding = { check: 'twilio credentials', status: 'ok', detail: `accepted for ${config.twilio.accountSid}` };
    if (number === undefined) {
      return [
        credentials,
        { check: 'support number', status: 'fail', detail: `${config.supportPhoneNumber} is not a number of the account` },
        { check: 'number webhooks', status: 'skip', detail: 'no such number' },
        { check: 'voice fallback', status: 'skip', detail: 'no such number' },
        callerIdFinding(config.pageCallerId, await callerIdStanding(config, client)),
      ];
    }
    return [
      credentials,
      { check: 'support number', status: 'ok', detail: `${number.phoneNumber} (${number.sid})` },
      webhooksFinding(number, config.publicBaseUrl),
      await fallbackCheck(config, number),
      callerIdFinding(config.pageCallerId, await callerIdStanding(config, client)),
    ];
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    const skipped = ['support number', 'number webhooks', 'voice fallback', 'page caller ID'].map((check): Finding => ({ check, status: 'skip', detail: 'Twilio not reached' }));
    return [{ check: 'twilio credentials', status: 'fail', detail: error.message }, ...skipped];
  }
}

async function callerIdStanding(config: Config, client: TwilioClient) {
  if (config.pageCallerId === config.supportPhoneNumber) return 'support-number';
  if ((await lookUpIncomingNumber(client, config.pageCallerId)) !== undefined) return 'account-number';
  return (await isVerifiedCallerId(client, config.pageCallerId)) ? 'verified' : 'unknown';
}

/** The fallback the number has now, which is what Twilio would fetch (twilio:setup may not have run). */
async function fallbackCheck(config: Config, number: IncomingNumber): Promise<Finding> {
  const fallback = { url: number.voiceFallbackUrl, method: number.voiceFallbackMethod === '' ? 'POST' : number.voiceFallbackMethod.toUpperCase(), own: isCallgateFallback(number.voiceFallbackUrl) };
  return fallbackFinding(fallback, fallback.url === '' ? undefined : await fetchFallback(fallback.url, fallback.method, config));
}

/** A signed test event, and the receiver's answer to it (a 2xx or a refused unknown type: the signature is accepted). */
async function eventsCheck(config: Config): Promise<Finding> {
  if (config.events === undefined) return { check: 'events receiver', status: 'ok', detail: 'EVENTS_URL not set: events stay in the capped outbox' };
  const { signed, forged } = await pingEventsReceiver(config.events);
  return eventsReceiverFinding(signed, forged);
}
