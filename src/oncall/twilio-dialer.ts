import twilio from 'twilio';
import type { Config } from '../config.js';
import { twilioClientFor } from '../twilio-client.js';

/** What callgate asks of Twilio's REST API: place a page, delete a caller's emptied queue. */
export interface Dialer {
  /** A page, or the call back to a sysadmin who phoned in: Twilio's CallSid, or a PageError. */
  placeCall(call: { to: string; url: string; statusCallback: string; ringSeconds: number }): Promise<string>;
  /** Deletes a queue once it is empty ("Queues persist": https://www.twilio.com/docs/voice/api/queue-resource). */
  deleteQueue(queueSid: string): Promise<void>;
  /** The account's queues (first page of up to 1,000), for sweeping those left behind. */
  listQueues(): Promise<{ sid: string; name: string; size: number }[]>;
}

/** `refused`: Twilio answered with an error, no call exists. `unknown`: no answer in time; it may still ring. */
export class PageError extends Error {
  constructor(
    readonly outcome: 'refused' | 'unknown',
    cause: unknown,
  ) {
    super(`page ${outcome}`);
    this.name = 'PageError';
    this.cause = cause;
  }
}

// A page that Twilio does not accept within this is treated as failed: the next sysadmin is paged.
export const REST_TIMEOUT_MS = 4000;
// Twilio may add about 5 s to a call's ring timeout (Calls.json Timeout).
export const TWILIO_EXTRA_RING_MS = 5_000;

export function createTwilioDialer(config: Pick<Config, 'twilio' | 'supportPhoneNumber' | 'pageCallerId'>): Dialer {
  const client = twilioClientFor(config, REST_TIMEOUT_MS);
  return {
    async placeCall({ to, url, statusCallback, ringSeconds }) {
      try {
        const call = await client.calls.create({
          to,
          // A page's From must be a Twilio number or a verified caller ID of the account.
          from: config.pageCallerId,
          url,
          method: 'POST',
          statusCallback,
          statusCallbackMethod: 'POST',
          statusCallbackEvent: ['completed'],
          timeout: ringSeconds,
          // No machine detection: Twilio takes speech over 2.4 s for a machine, hanging up on a sysadmin who
          // answers with their name; the greeting says nothing about a customer and waits for a 1 instead.
        });
        return call.sid;
      } catch (error) {
        throw new PageError(error instanceof twilio.RestException ? 'refused' : 'unknown', error);
      }
    },
    async deleteQueue(queueSid) {
      await client.queues(queueSid).remove();
    },
    async listQueues() {
      const queues = await client.queues.list({ limit: 1000 });
      return queues.map((queue) => ({ sid: queue.sid, name: queue.friendlyName, size: queue.currentSize }));
    },
  };
}
