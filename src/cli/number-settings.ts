/**
 * The support number's voice settings in Twilio, and what must change for them to point at this
 * deployment. Pure: `npm run twilio:setup` applies the changes, `npm run doctor` reports them.
 */

/** Each setting by the name the REST client takes: the words an operator sees in Twilio's console. */
export const SETTINGS = {
  voiceUrl: 'voice URL',
  voiceMethod: 'voice method',
  voiceFallbackUrl: 'voice fallback URL',
  voiceFallbackMethod: 'voice fallback method',
  statusCallback: 'status callback',
  statusCallbackMethod: 'status callback method',
};
type SettingName = keyof typeof SETTINGS;
type NumberSettings = Record<SettingName, string>;
export type SettingChange = ReturnType<typeof settingChanges>[number];

/** A number of the account as Twilio describes it (empty strings where Twilio has nothing set). */
export interface IncomingNumber extends NumberSettings {
  sid: string;
  phoneNumber: string;
  /** Either one makes Twilio ignore the voice URLs: it must be removed in the console. */
  voiceApplicationSid: string;
  trunkSid: string;
}

/**
 * What the number should say for the deployment at `publicBaseUrl`. The fallback is fetched when callgate
 * does not answer, so one hosted elsewhere (a TwiML Bin) is kept; only none or callgate's own is replaced.
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
export function settingChanges(current: NumberSettings, wanted: NumberSettings) {
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

export const orNone = (setting: string): string => (setting === '' ? '(none)' : setting);

/** One line per change, `label: before → after`, aligned. */
export function describeChanges(changes: SettingChange[]): string[] {
  const width = Math.max(0, ...changes.map((change) => SETTINGS[change.setting].length));
  const label = (setting: SettingName) => `${SETTINGS[setting]}:`.padEnd(width + 1);
  return changes.map(({ setting, before, after }) => `  ${label(setting)} ${orNone(before)} → ${after}`);
}
