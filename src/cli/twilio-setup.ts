import type { Config } from '../config.js';
import { applyChanges, findIncomingNumber } from './incoming-numbers.js';
import { describeChanges, routingOverrides, settingChanges, wantedSettings } from './number-settings.js';
import type { TwilioClient } from '../twilio-client.js';

export interface SetupOptions {
  /** Print what would change and change nothing. */
  dryRun: boolean;
  /** A voice fallback hosted apart from callgate (a TwiML Bin); see wantedSettings. */
  fallbackUrl?: string | undefined;
}

/**
 * Points the support number's voice webhooks at PUBLIC_BASE_URL, printing each change as
 * before → after. Running it again changes nothing. Returns the exit status: 1 when calls would
 * still not reach callgate (a TwiML app or trunk overrides the voice URL). Throws a SetupError.
 */
export async function runTwilioSetup(
  config: Pick<Config, 'publicBaseUrl' | 'supportPhoneNumber'>,
  client: TwilioClient,
  options: SetupOptions,
  print: (line: string) => void,
): Promise<number> {
  const number = await findIncomingNumber(client, config.supportPhoneNumber);
  const changes = settingChanges(number, wantedSettings(config.publicBaseUrl, number, options.fallbackUrl));
  if (changes.length === 0) {
    print(`${number.phoneNumber} (${number.sid}) already points at ${config.publicBaseUrl}: nothing to change.`);
  } else {
    print(`${number.phoneNumber} (${number.sid})${options.dryRun ? ', dry run' : ''}:`);
    for (const line of describeChanges(changes)) print(line);
    if (!options.dryRun) await applyChanges(client, number.sid, changes);
    const count = `${String(changes.length)} setting${changes.length === 1 ? '' : 's'}`;
    print(options.dryRun ? `Would change ${count}; nothing was changed (dry run).` : `Changed ${count}.`);
  }
  const overrides = routingOverrides(number);
  for (const problem of overrides) print(`Not ready: ${problem}.`);
  return overrides.length === 0 ? 0 : 1;
}
