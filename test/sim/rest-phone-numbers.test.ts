import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT } from './twiml-server.js';

// The IncomingPhoneNumber resource: https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
// (PhoneNumber: "You can specify partial numbers and use '*' as a wildcard for any digit";
// an update changes only the parameters it is given).

const TOKEN = 'secret-token';
let rest: TwilioRestApi;
beforeEach(async () => {
  rest = await startTwilioRestApi({ accountSid: ACCOUNT, authToken: TOKEN });
});
afterEach(async () => {
  await rest.close();
});

const api = (path: string, init: { method?: string; body?: string } = {}) =>
  fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}${path}`, {
    ...init,
    headers: { Authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
const numbersOf = async (response: Response) =>
  ((await response.json()) as { incoming_phone_numbers: { phone_number: string }[] }).incoming_phone_numbers.map((number) => number.phone_number);

describe('the IncomingPhoneNumber resource of the REST stand-in', () => {
  it('when listed with PhoneNumber, then a whole, partial or wildcard number selects the matching numbers', async () => {
    rest.phoneNumbers.add('+442071234567');
    rest.phoneNumbers.add('+442071234568');
    rest.phoneNumbers.add('+15005550006');
    expect(await numbersOf(await api(`/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent('+442071234567')}`))).toEqual(['+442071234567']);
    expect(await numbersOf(await api('/IncomingPhoneNumbers.json?PhoneNumber=20712345*'))).toEqual(['+442071234567', '+442071234568']);
    expect(await numbersOf(await api('/IncomingPhoneNumbers.json'))).toHaveLength(3);
  });

  it('when updated, then only the fields sent change and the answer is the number as Twilio shows it', async () => {
    const number = rest.phoneNumbers.add('+442071234567', { statusCallback: 'https://old.example.com/status' });
    const response = await api(`/IncomingPhoneNumbers/${number.sid}.json`, { method: 'POST', body: 'VoiceUrl=https%3A%2F%2Fcallgate.example.com%2Ftwilio%2Fvoice&VoiceMethod=POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sid: number.sid,
      account_sid: ACCOUNT,
      phone_number: '+442071234567',
      voice_url: 'https://callgate.example.com/twilio/voice',
      voice_method: 'POST',
      voice_fallback_url: null,
      status_callback: 'https://old.example.com/status',
      uri: `/2010-04-01/Accounts/${ACCOUNT}/IncomingPhoneNumbers/${number.sid}.json`,
    });
    expect(await (await api(`/IncomingPhoneNumbers/${number.sid}.json`)).json()).toMatchObject({ voice_url: 'https://callgate.example.com/twilio/voice' });
  });

  it('when a method is neither GET nor POST, or the number is not the account\'s, then it is refused and nothing changes', async () => {
    const number = rest.phoneNumbers.add('+442071234567');
    expect((await api(`/IncomingPhoneNumbers/${number.sid}.json`, { method: 'POST', body: 'VoiceUrl=https%3A%2F%2Fx.example&VoiceMethod=PUT' })).status).toBe(400);
    expect(number.voiceUrl).toBe('');
    expect((await api(`/IncomingPhoneNumbers/PN${'0'.repeat(32)}.json`)).status).toBe(404);
  });
});
