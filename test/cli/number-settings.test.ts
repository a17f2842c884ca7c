import { describe, expect, it } from 'vitest';
import { describeChanges, routingOverrides, settingChanges, wantedSettings, type IncomingNumber } from '../../src/cli/number-settings.js';

// Settings of an IncomingPhoneNumber: https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
// ("The voice_url will not be called if a voice_application_sid or a trunk_sid is set").

const BASE = 'https://callgate.example.com';
const pointed: IncomingNumber = {
  sid: `PN${'1'.repeat(32)}`,
  phoneNumber: '+442071234567',
  voiceUrl: `${BASE}/twilio/voice`,
  voiceMethod: 'POST',
  voiceFallbackUrl: `${BASE}/twilio/fallback`,
  voiceFallbackMethod: 'POST',
  statusCallback: `${BASE}/twilio/status`,
  statusCallbackMethod: 'POST',
  voiceApplicationSid: '',
  trunkSid: '',
};

describe('the support number settings', () => {
  it('when the number already points at the deployment, then nothing is to change (methods compare without case)', () => {
    const current = { ...pointed, voiceMethod: 'post' };
    expect(settingChanges(current, wantedSettings(`${BASE}/`, current))).toEqual([]);
  });

  it('when a setting differs, then it is listed with what it was and what it becomes, in the console order', () => {
    const current = { ...pointed, statusCallback: '', voiceUrl: 'https://demo.twilio.com/welcome/voice/' };
    const changes = settingChanges(current, wantedSettings(BASE, current));
    expect(changes).toEqual([
      { setting: 'voiceUrl', before: 'https://demo.twilio.com/welcome/voice/', after: `${BASE}/twilio/voice` },
      { setting: 'statusCallback', before: '', after: `${BASE}/twilio/status` },
    ]);
    expect(describeChanges(changes)).toEqual([
      `  voice URL:       https://demo.twilio.com/welcome/voice/ → ${BASE}/twilio/voice`,
      `  status callback: (none) → ${BASE}/twilio/status`,
    ]);
  });

  it('when the fallback is hosted apart from callgate, then it is kept; when it is callgate\'s own elsewhere, it follows; when one is given, it is used', () => {
    const bin = 'https://handler.twilio.com/twiml/EH0123';
    expect(wantedSettings(BASE, { ...pointed, voiceFallbackUrl: bin }).voiceFallbackUrl).toBe(bin);
    expect(wantedSettings(BASE, { ...pointed, voiceFallbackUrl: 'https://old.example.com/twilio/fallback' }).voiceFallbackUrl).toBe(`${BASE}/twilio/fallback`);
    expect(wantedSettings(BASE, pointed, bin).voiceFallbackUrl).toBe(bin);
  });

  it('when a fallback hosted apart is fetched by GET, then its method is kept too; callgate\'s own and a given one are fetched by POST', () => {
    const staticHost = 'https://static.example.net/fallback.xml';
    expect(settingChanges({ ...pointed, voiceFallbackUrl: staticHost, voiceFallbackMethod: 'GET' }, wantedSettings(BASE, { ...pointed, voiceFallbackUrl: staticHost, voiceFallbackMethod: 'GET' }))).toEqual([]);
    expect(wantedSettings(BASE, { ...pointed, voiceFallbackMethod: 'GET' }).voiceFallbackMethod).toBe('POST');
    expect(wantedSettings(BASE, { ...pointed, voiceFallbackUrl: staticHost, voiceFallbackMethod: 'GET' }, 'https://handler.twilio.com/twiml/EH0123').voiceFallbackMethod).toBe('POST');
  });

  it('when a TwiML app or a trunk is set, then each is named as overriding the voice URL', () => {
    expect(routingOverrides(pointed)).toEqual([]);
    expect(routingOverrides({ ...pointed, voiceApplicationSid: 'AP1', trunkSid: 'TK1' })).toEqual([
      'calls go to TwiML app AP1, which overrides the voice URL: remove it in the console',
      'calls go to SIP trunk TK1, which overrides the voice URL: remove it in the console',
    ]);
  });
});
