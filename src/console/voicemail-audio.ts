import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Response } from 'express';
import type { Config } from '../config.js';
import { AppError, notFound } from '../errors.js';

// With media authentication on (Twilio's advice) a recording answers 401 without the account's
// credentials, which the browser must never hold. No extension is WAV, the one format an encrypted
// recording is served in (error 16109 refuses .mp3).
const TWILIO_API = 'https://api.twilio.com';
const RECORDING_URL = /^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Recordings\/(RE[0-9a-fA-F]{32})(?:\.wav)?$/;
// A recording is a few MB at most; Twilio answers the first byte well within this.
const FETCH_TIMEOUT_MS = 10_000;

const unavailable = (): AppError => new AppError(502, 'recording_unavailable', 'Twilio did not give the recording; try again shortly.');

export function createVoicemailAudio(twilio: Config['twilio']) {
  const credentials = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
  const apiUrl = twilio.apiUrl.replace(/\/+$/, '');

  // Only our account's recordings at Twilio's address (or TWILIO_API_URL): the credentials never go
  // wherever a stored URL points.
  function mediaUrlOf(recordingUrl: string): string {
    const match = RECORDING_URL.exec(recordingUrl);
    if (match === null || match[1] !== twilio.accountSid) throw notFound('not_found', 'This message is not a recording of this Twilio account.');
    return `${apiUrl}${recordingUrl.slice(TWILIO_API.length).replace(/\.wav$/, '')}`;
  }

  async function fetchMedia(url: string): Promise<globalThis.Response> {
    const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
    try {
      const first = await fetch(url, { headers: { Authorization: credentials }, redirect: 'manual', signal });
      const location = first.headers.get('location');
      if (first.status < 300 || first.status >= 400 || location === null) return first;
      // Twilio answers with a redirect to the file's storage: followed without the credentials.
      await first.body?.cancel();
      return await fetch(new URL(location, url), { redirect: 'follow', signal });
    } catch {
      throw unavailable();
    }
  }

  return {
    async stream(recordingUrl: string, res: Response): Promise<void> {
      const media = await fetchMedia(mediaUrlOf(recordingUrl));
      if (media.status === 404) throw notFound('not_found', 'The recording is no longer at Twilio.');
      if (!media.ok || media.body === null) {
        await media.body?.cancel();
        throw unavailable();
      }
      const length = media.headers.get('content-length');
      res
        .status(200)
        .type(media.headers.get('content-type') ?? 'audio/x-wav')
        .set('Cache-Control', 'no-store')
        .set('X-Content-Type-Options', 'nosniff');
      if (length !== null) res.set('Content-Length', length);
      // A viewer who leaves mid-message ends the fetch; a failure mid-stream can only cut it short.
      await pipeline(Readable.fromWeb(media.body as WebReadableStream<Uint8Array>), res).catch(() => undefined);
    },
  };
}

export type VoicemailAudio = ReturnType<typeof createVoicemailAudio>;
