import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { SetupError } from './incoming-numbers.js';
import { runTwilioSetup } from './twilio-setup.js';
import { twilioClientFor } from '../twilio-client.js';

// A command run by a person: long enough for a slow link, short enough to say so.
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * `npm run twilio:setup [-- --dry-run] [-- --fallback-url https://…]`: points the support number
 * at this deployment, from the same environment as the service.
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
    const config = loadConfig(process.env);
    const print = (line: string) => process.stdout.write(`${line}\n`);
    return await runTwilioSetup(config, twilioClientFor(config, COMMAND_TIMEOUT_MS), { dryRun: args['dry-run'], fallbackUrl: fallbackUrl.data }, print);
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof SetupError)) throw error;
    process.stderr.write(`twilio:setup: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main();
