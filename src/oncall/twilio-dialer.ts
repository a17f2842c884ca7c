import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../config.js';

/** Places the outbound call that pages a sysadmin; returns Twilio's CallSid. */
export interface Dialer {
  placeCall(call: { to: string; url: string; statusCallback: string; ringSeconds: number }): Promise<string>;
}

const TWILIO_API = 'https://api.twilio.com';
// A page that Twilio does not accept within this is treated as failed: the next sysadmin is paged.
const REST_TIMEOUT_MS = 4000;

/** The official client, sending to TWILIO_API_URL (a local stand-in in tests and the simulator). */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiUrl: string) {
    super({ timeout: REST_TIMEOUT_MS });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.apiUrl.replace(/\/+$/, '')) });
  }
}

export function createTwilioDialer(config: Pick<Config, 'twilio' | 'supportPhoneNumber'>): Dialer {
  const client = twilio(config.twilio.accountSid, config.twilio.authToken, {
    httpClient: new RedirectingRequestClient(config.twilio.apiUrl),
    timeout: REST_TIMEOUT_MS,
  });
  return {
    async placeCall({ to, url, statusCallback, ringSeconds }) {
      const call = await client.calls.create({
        to,
        from: config.supportPhoneNumber,
        url,
        method: 'POST',
        statusCallback,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['completed'],
        timeout: ringSeconds,
      });
      return call.sid;
    },
  };
}
