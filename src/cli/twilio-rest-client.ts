import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../config.js';

const TWILIO_API = 'https://api.twilio.com';
// A command run by a person: long enough for a slow link, short enough to say so.
const REST_TIMEOUT_MS = 10_000;

/** Sends the official client's requests to TWILIO_API_URL (a local stand-in in tests), as src/oncall/twilio-dialer.ts does. */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiUrl: string) {
    super({ timeout: REST_TIMEOUT_MS });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.apiUrl.replace(/\/+$/, '')) });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function twilioClientFor(config: Pick<Config, 'twilio'>): TwilioClient {
  return twilio(config.twilio.accountSid, config.twilio.authToken, {
    httpClient: new RedirectingRequestClient(config.twilio.apiUrl),
    timeout: REST_TIMEOUT_MS,
  });
}
