import twilio from 'twilio';
import type { IncomingNumber, SettingChange } from './number-settings.js';
import type { TwilioClient } from '../twilio-client.js';

// For a command run by a person: long enough for a slow link, short enough to say so.
export const COMMAND_TIMEOUT_MS = 10_000;

/** Why a command cannot go on, in words for the operator (never a secret). */
export class SetupError extends Error {
  override name = 'SetupError';
}

/**
 * The account's number `phoneNumber`, or undefined. The IncomingPhoneNumbers PhoneNumber filter also
 * matches partial numbers, so only an exact match counts.
 */
export async function lookUpIncomingNumber(client: TwilioClient, phoneNumber: string): Promise<IncomingNumber | undefined> {
  const found = await explained(client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 }));
  const number = found.find((candidate) => candidate.phoneNumber === phoneNumber);
  if (number === undefined) return undefined;
  // Twilio answers null for some settings never set (voice_fallback_url, trunk_sid).
  const text = (value: string | null | undefined) => value ?? '';
  return {
    sid: number.sid,
    phoneNumber: number.phoneNumber,
    voiceUrl: text(number.voiceUrl),
    voiceMethod: text(number.voiceMethod),
    voiceFallbackUrl: text(number.voiceFallbackUrl),
    voiceFallbackMethod: text(number.voiceFallbackMethod),
    statusCallback: text(number.statusCallback),
    statusCallbackMethod: text(number.statusCallbackMethod),
    voiceApplicationSid: text(number.voiceApplicationSid),
    trunkSid: text(number.trunkSid),
  };
}

/** Whether `phoneNumber` is one of the account's verified caller IDs. */
export async function isVerifiedCallerId(client: TwilioClient, phoneNumber: string): Promise<boolean> {
  const found = await explained(client.outgoingCallerIds.list({ phoneNumber, limit: 20 }));
  return found.some((callerId) => callerId.phoneNumber === phoneNumber);
}

/** Sends only the changed settings (the client names them as SettingName does and sends VoiceUrl, ...). */
export async function applyChanges(client: TwilioClient, sid: string, changes: SettingChange[]): Promise<void> {
  const update = Object.fromEntries(changes.map(({ setting, after }) => [setting, after]));
  await explained(client.incomingPhoneNumbers(sid).update(update));
}

/** Twilio's refusals in the operator's words: a 401 means the account SID or auth token is wrong. */
async function explained<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof twilio.RestException) {
      if (error.status === 401) {
        throw new SetupError('Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
      }
      throw new SetupError(`Twilio refused the request: ${String(error.code)} ${error.message}`);
    }
    throw new SetupError(`Twilio's REST API did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}
