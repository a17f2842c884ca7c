import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from './config.js';

const TWILIO_API = 'https://api.twilio.com';

/** Sends the official client's requests to TWILIO_API_URL (a local stand-in in tests and the simulator). */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiUrl: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.apiUrl.replace(/\/+$/, '')) });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

/** The official `twilio` REST client for the configured account, giving up on a request after `timeoutMs`. */
export function twilioClientFor(config: Pick<Config, 'twilio'>, timeoutMs: number): TwilioClient {
  return twilio(config.twilio.accountSid, config.twilio.authToken, {
    httpClient: new RedirectingRequestClient(config.twilio.apiUrl, timeoutMs),
    timeout: timeoutMs,
  });
}
