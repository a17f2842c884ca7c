/**
 * The support number's voice settings in Twilio, and what must change for them to point at this
 * deployment. Pure: `npm run twilio:setup` applies the changes, `npm run doctor` reports them.
 * Fields: https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
 */
export interface NumberSettings {
  voiceUrl: string;
  voiceMethod: string;
  voiceFallbackUrl: string;
  voiceFallbackMethod: string;
  statusCallback: string;
  statusCallbackMethod: string;
}

/** A number of the account as Twilio describes it (empty strings where Twilio has nothing set). */
export interface IncomingNumber extends NumberSettings {
  sid: string;
  phoneNumber: string;
  /** Either one makes Twilio ignore the voice URLs (the resource page says so): it must be removed in the console. */
  voiceApplicationSid: string;
  trunkSid: string;
}

export type SettingName = keyof NumberSettings;

export interface SettingChange {
  setting: SettingName;
  before: string;
  after: string;
}

/** The words an operator sees in Twilio's console, and the form field the REST API takes. */
export const SETTINGS: Record<SettingName, { label: string; field: string }> = {
  voiceUrl: { label: 'voice URL', field: 'VoiceUrl' },
  voiceMethod: { label: 'voice method', field: 'VoiceMethod' },
  voiceFallbackUrl: { label: 'voice fallback URL', field: 'VoiceFallbackUrl' },
  voiceFallbackMethod: { label: 'voice fallback method', field: 'VoiceFallbackMethod' },
  statusCallback: { label: 'status callback', field: 'StatusCallback' },
  statusCallbackMethod: { label: 'status callback method', field: 'StatusCallbackMethod' },
};

/**
 * What the number should say for the deployment at `publicBaseUrl`. The fallback is fetched when
 * callgate does not answer, so one hosted elsewhere (a TwiML Bin, as the README advises) is kept, with its method;
 * only an empty one, or callgate's own `/twilio/fallback` (here or on a host it moved from), is set to this deployment's.
 */
export function wantedSettings(publicBaseUrl: string, current: NumberSettings, fallbackUrl?: string): NumberSettings {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const kept = fallbackUrl === undefined && current.voiceFallbackUrl !== '' && !isCallgateFallback(current.voiceFallbackUrl);
  return {
    voiceUrl: `${base}/twilio/voice`,
    voiceMethod: 'POST',
    voiceFallbackUrl: kept ? current.voiceFallbackUrl : (fallbackUrl ?? `${base}/twilio/fallback`),
    // A kept fallback keeps its method: a static host that refuses POST is fetched by GET (README "Hosting the fallback").
    voiceFallbackMethod: kept && current.voiceFallbackMethod !== '' ? current.voiceFallbackMethod : 'POST',
    statusCallback: `${base}/twilio/status`,
    statusCallbackMethod: 'POST',
  };
}

/** callgate's own fallback, on this deployment or one it moved from. */
export function isCallgateFallback(url: string): boolean {
  return URL.canParse(url) && new URL(url).pathname === '/twilio/fallback';
}

/** The settings that differ, in the console's order. Methods compare without case, as Twilio treats them. */
export function settingChanges(current: NumberSettings, wanted: NumberSettings): SettingChange[] {
  return (Object.keys(SETTINGS) as SettingName[])
    .filter((setting) => (setting.endsWith('ethod') ? current[setting].toUpperCase() !== wanted[setting].toUpperCase() : current[setting] !== wanted[setting]))
    .map((setting) => ({ setting, before: current[setting], after: wanted[setting] }));
}

/** Why calls to the number would not reach the voice URL whatever it says; empty when nothing overrides it. */
export function routingOverrides(number: IncomingNumber): string[] {
  return [
    ...(number.voiceApplicationSid === '' ? [] : [`calls go to TwiML app ${number.voiceApplicationSid}, which overrides the voice URL: remove it in the console`]),
    ...(number.trunkSid === '' ? [] : [`calls go to SIP trunk ${number.trunkSid}, which overrides the voice URL: remove it in the console`]),
  ];
}

/** One line per change, `label: before → after`, aligned; "(none)" for an empty setting. */
export function describeChanges(changes: SettingChange[]): string[] {
  const width = Math.max(0, ...changes.map((change) => SETTINGS[change.setting].label.length));
  return changes.map(({ setting, before, after }) => `  ${`${SETTINGS[setting].label}:`.padEnd(width + 1)} ${before === '' ? '(none)' : before} → ${after}`);
}
