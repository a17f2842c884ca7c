import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { applyChanges, COMMAND_TIMEOUT_MS, lookUpIncomingNumber, SetupError } from './incoming-numbers.js';
import { describeChanges, routingOverrides, settingChanges, wantedSettings } from './number-settings.js';
import { twilioClientFor } from '../twilio-client.js';

/**
 * `npm run twilio:setup`: points the support number's voice webhooks at PUBLIC_BASE_URL, printing
 * each change as before → after; running it again changes nothing. Exits 1 when calls would still
 * not reach callgate (a TwiML app or trunk overrides the voice URL) or Twilio cannot be used.
 */
const USAGE = 'usage: npm run twilio:setup -- [--dry-run] [--fallback-url https://handler.twilio.com/twiml/EH…]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false }, 'fallback-url': { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const fallbackUrl = z.url({ protocol: /^https$/ }).optional().safeParse(args['fallback-url']);
  if (!fallbackUrl.success) {
    process.stderr.write(`--fallback-url must be an https URL\n${USAGE}\n`);
    return 2;
  }
  try {
    return await setUp(args['dry-run'], fallbackUrl.data);
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof SetupError)) throw error;
    process.stderr.write(`twilio:setup: ${error.message}\n`);
    return 1;
  }
}

async function setUp(dryRun: boolean, fallbackUrl: string | undefined): Promise<number> {
  const config = loadConfig(process.env);
  const client = twilioClientFor(config, COMMAND_TIMEOUT_MS);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const number = await lookUpIncomingNumber(client, config.supportPhoneNumber);
  if (number === undefined) {
    const fix = 'buy or port it there, or correct SUPPORT_PHONE_NUMBER';
    throw new SetupError(`${config.supportPhoneNumber} is not a number of Twilio account ${client.accountSid}: ${fix}`);
  }
  const changes = settingChanges(number, wantedSettings(config.publicBaseUrl, number, fallbackUrl));
  if (changes.length === 0) {
    print(`${number.phoneNumber} (${number.sid}) already points at ${config.publicBaseUrl}: nothing to change.`);
  } else {
    print(`${number.phoneNumber} (${number.sid})${dryRun ? ', dry run' : ''}:`);
    for (const line of describeChanges(changes)) print(line);
    if (!dryRun) await applyChanges(client, number.sid, changes);
    const count = `${String(changes.length)} setting${changes.length === 1 ? '' : 's'}`;
    print(dryRun ? `Would change ${count}; nothing was changed (dry run).` : `Changed ${count}.`);
  }
  const overrides = routingOverrides(number);
  for (const problem of overrides) print(`Not ready: ${problem}.`);
  return overrides.length === 0 ? 0 : 1;
}

process.exitCode = await main();
