import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import type { SimPhoneNumber } from '../../sim/rest-phone-numbers.js';
import { testEnv } from '../helpers/test-app.js';
import { runCommand } from './run-command.js';

// `npm run twilio:setup` against the REST stand-in's IncomingPhoneNumber resource, which lists
// (PhoneNumber filter), fetches and updates numbers as Twilio documents them:
// https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource

const env = testEnv();
const ACCOUNT = env.TWILIO_ACCOUNT_SID ?? '';
const TOKEN = env.TWILIO_AUTH_TOKEN ?? '';
const SUPPORT = env.SUPPORT_PHONE_NUMBER ?? '';
const BASE = 'https://callgate.example.com';

let rest: TwilioRestApi;
beforeEach(async () => {
  rest = await startTwilioRestApi({ accountSid: ACCOUNT, authToken: TOKEN });
});
afterEach(async () => {
  await rest.close();
});

const setup = (args: string[] = [], overrides: Record<string, string | undefined> = {}) =>
  runCommand('src/cli/twilio-setup-command.ts', args, testEnv({ TWILIO_API_URL: rest.url, PUBLIC_BASE_URL: BASE, ...overrides }));

/** A number as Twilio sells it: the demo voice URL, fetched by GET, nothing else set. */
const givenNewNumber = (phoneNumber = SUPPORT): SimPhoneNumber =>
  rest.phoneNumbers.add(phoneNumber, { voiceUrl: 'https://demo.twilio.com/welcome/voice/', voiceMethod: 'GET' });

/** What was printed, with the alignment's spaces collapsed. */
const flat = (text: string) => text.replace(/ +/g, ' ');

const webhooksOf = (number: SimPhoneNumber) => ({
  voiceUrl: number.voiceUrl,
  voiceMethod: number.voiceMethod,
  voiceFallbackUrl: number.voiceFallbackUrl,
  voiceFallbackMethod: number.voiceFallbackMethod,
  statusCallback: number.statusCallback,
  statusCallbackMethod: number.statusCallbackMethod,
});

describe('npm run twilio:setup', () => {
  it('when run with --dry-run, then it prints each change as before → after and changes nothing in Twilio', async () => {
    const number = givenNewNumber();
    const before = webhooksOf(number);
    const run = await setup(['--dry-run']);
    expect(flat(run.stdout)).toContain(`voice URL: https://demo.twilio.com/welcome/voice/ → ${BASE}/twilio/voice`);
    expect(flat(run.stdout)).toContain('voice method: GET → POST');
    expect(flat(run.stdout)).toContain(`status callback: (none) → ${BASE}/twilio/status`);
    expect(run.stdout).toContain('nothing was changed (dry run)');
    expect(run.code).toBe(0);
    expect(rest.phoneNumbers.updates).toEqual([]);
    expect(webhooksOf(number)).toEqual(before);
  });

  it('when run, then the number calls callgate by POST and each change is printed; run again, then nothing changes and it says so', async () => {
    givenNewNumber('+442071234568');
    const number = givenNewNumber();
    const first = await setup();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${SUPPORT} (${number.sid}):`);
    expect(flat(first.stdout)).toContain(`voice fallback URL: (none) → ${BASE}/twilio/fallback`);
    expect(first.stdout).toContain('Changed 4 settings.');
    expect(webhooksOf(number)).toEqual({
      voiceUrl: `${BASE}/twilio/voice`,
      voiceMethod: 'POST',
      voiceFallbackUrl: `${BASE}/twilio/fallback`,
      voiceFallbackMethod: 'POST',
      statusCallback: `${BASE}/twilio/status`,
      statusCallbackMethod: 'POST',
    });
    // Only the changed settings were sent, and only to the support number.
    expect(rest.phoneNumbers.updates).toEqual([
      { sid: number.sid, fields: { VoiceUrl: `${BASE}/twilio/voice`, VoiceMethod: 'POST', VoiceFallbackUrl: `${BASE}/twilio/fallback`, StatusCallback: `${BASE}/twilio/status` } },
    ]);

    const second = await setup();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`already points at ${BASE}: nothing to change.`);
    expect(rest.phoneNumbers.updates).toHaveLength(1);
  });

  it('when the fallback is a TwiML Bin hosted apart from callgate, then it is kept', async () => {
    const bin = 'https://handler.twilio.com/twiml/EH0123456789abcdef0123456789abcdef';
    const number = rest.phoneNumbers.add(SUPPORT, { voiceFallbackUrl: bin });
    const run = await setup();
    expect(run.code).toBe(0);
    expect(flat(run.stdout)).not.toContain('voice fallback URL');
    expect(number.voiceFallbackUrl).toBe(bin);
  });

  it('when PUBLIC_BASE_URL moves, then the number follows it', async () => {
    givenNewNumber();
    await setup();
    const run = await setup([], { PUBLIC_BASE_URL: 'https://line.example.net' });
    expect(flat(run.stdout)).toContain(`voice URL: ${BASE}/twilio/voice → https://line.example.net/twilio/voice`);
    expect(flat(run.stdout)).toContain(`voice fallback URL: ${BASE}/twilio/fallback → https://line.example.net/twilio/fallback`);
  });

  it('when the support number is not on the account, then it says so, changes nothing and exits non-zero', async () => {
    const other = givenNewNumber('+442071234568');
    const run = await setup();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${SUPPORT} is not a number of Twilio account ${ACCOUNT}`);
    expect(rest.phoneNumbers.updates).toEqual([]);
    expect(other.voiceUrl).toBe('https://demo.twilio.com/welcome/voice/');
  });

  it('when the auth token is wrong, then it says the credentials were refused, without printing the token', async () => {
    givenNewNumber();
    const wrong = 'wrong-auth-token-0123456789';
    const run = await setup([], { TWILIO_AUTH_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Twilio refused the credentials');
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it('when a TwiML app overrides the voice URL, then it says the line is not ready and exits non-zero', async () => {
    givenNewNumber().voiceApplicationSid = `AP${'0'.repeat(32)}`;
    const run = await setup();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Not ready: calls go to TwiML app AP${'0'.repeat(32)}`);
  });
});
